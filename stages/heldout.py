"""Stage ``heldout``: the discovered controller's beta sweep and per-round trajectory on every store.

Discovery saw only the search benchmark; this stage measures the chosen
controller (and each round's best) on the held-out ones too, and sets its
figures beside the baselines' as the pipeline's headline metrics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from autotts.evaluate.api import EvalRequest, evaluate_stores, renamed
from autotts.evaluate.parallel import EvalConfig
from autotts.files import atomic_dir
from autotts.methods import DISCOVERED, method_label
from stages.cli import run_stage_main, stage_parser
from stages.io import evaluation_frame, write_json, write_parquet
from stages.params import DataParams, HeldoutParams, load_params
from stages.progress import track
from stages.trajectory import RoundBest, round_bests

__all__ = ["headline_metrics", "heldout", "read_baselines", "write_metrics"]


def heldout(
    params: HeldoutParams, data: DataParams, store: str | Path, discovery: str | Path, baselines: str | Path,
    out: str | Path, metrics: str | Path,
) -> pl.DataFrame:
    """Write ``out/evaluations.parquet``, ``out/trajectory.parquet`` and the headline ``metrics``."""
    pairs = [(m, b) for m in data.models for b in data.benchmarks]
    best = EvalRequest(str(Path(discovery) / "best.py"), {}, betas=params.betas, seeds=params.seeds, trace_seeds=0)
    # The file's name goes into the table and its eval_ids: named by the discover stage's folder, not by the
    # path as given (relative under `dvc repro`, absolute in a deployed flow), so both write the same bytes.
    name = f"{Path(discovery).resolve().name}/best.py"
    sweep = evaluation_frame([
        (DISCOVERED, method_label(EvalConfig(DISCOVERED, {}, ev.beta)), None, renamed(ev, name))
        for model, benchmark in track(pairs, "discovered beta sweep", unit="store")
        for ev in evaluate_stores(store, [best], models=[model], benchmarks=[benchmark], record=False)
    ])
    trajectory = _trajectory(store, data, round_bests(discovery), params)
    with atomic_dir(out) as tmp:
        write_parquet(tmp / "evaluations.parquet", sweep)
        write_parquet(tmp / "trajectory.parquet", trajectory)
    write_metrics(metrics, headline_metrics(sweep, read_baselines(baselines), data, params.table_betas))
    return sweep


def _trajectory(
    store: str | Path, data: DataParams, rounds: Sequence[RoundBest], params: HeldoutParams
) -> pl.DataFrame:
    """Each round's best at ``trajectory_beta`` on every store, beside its search objective."""
    rows: list[dict[str, Any]] = []
    for rb in track(rounds, "trajectory rounds", unit="round"):
        request = EvalRequest(str(rb.policy), {}, betas=(params.trajectory_beta,), seeds=params.trajectory_seeds,
                              trace_seeds=0)
        for ev in evaluate_stores(store, [request], models=data.models, benchmarks=data.benchmarks, record=False):
            rows.append({
                "round": rb.round, "model": ev.model, "benchmark": ev.benchmark, "objective": rb.objective,
                "accuracy": ev.results.accuracy, "avg_tokens": ev.results.avg_tokens,
            })
    schema = {"round": pl.Int64, "model": pl.String, "benchmark": pl.String, "objective": pl.Float64,
              "accuracy": pl.Float64, "avg_tokens": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def read_baselines(folder: str | Path) -> pl.DataFrame:
    """Every baseline table the ``baselines`` stage wrote, as one frame."""
    files = sorted(Path(folder).glob("*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files]) if files else pl.DataFrame()


def headline_metrics(
    sweep: pl.DataFrame, baselines: pl.DataFrame, data: DataParams, betas: Sequence[float]
) -> dict[str, dict[str, dict[str, float]]]:
    """Per benchmark (``aime24-search``, ``aime25-heldout``), per method: the model-averaged accuracy and
    kilo-tokens of the discovered controller at ``betas`` and of the references it must beat (SC at its
    largest budget, CMC at the same betas)."""
    frames = [sweep.filter(pl.col("beta").is_in(list(betas)))]
    if baselines.height:
        top = baselines.filter(pl.col("family") == "sc").get_column("budget").max()
        frames.append(baselines.filter(
            ((pl.col("family") == "sc") & (pl.col("budget") == top))
            | ((pl.col("family") == "cmc") & pl.col("beta").is_in(list(betas)))
        ))
    table = (
        pl.concat(frames)
        .filter(pl.col("model").is_in(list(data.models)))
        .group_by("benchmark", "label")
        .agg(pl.col("accuracy").mean(), (pl.col("avg_tokens").mean() / 1000).alias("tokens_k"))
        .sort("benchmark", "label")
    )
    out: dict[str, dict[str, dict[str, float]]] = {}
    for row in table.iter_rows(named=True):
        where = out.setdefault(f"{row['benchmark']}-{data.split(row['benchmark'])}", {})
        where[row["label"]] = {"accuracy": round(row["accuracy"], 2), "tokens_k": round(row["tokens_k"], 1)}
    return out


def write_metrics(folder: str | Path, metrics: Mapping[str, Mapping[str, Mapping[str, float]]]) -> None:
    """One small JSON per (benchmark, method) under ``folder``: ``dvc metrics show`` then prints one row per
    method with two columns, accuracy and tokens, instead of one row with a column per figure."""
    with atomic_dir(folder) as tmp:
        for benchmark, methods in metrics.items():
            for label, figures in methods.items():
                write_json(tmp / benchmark / f"{label}.json", figures)


def main(argv: list[str] | None = None) -> int:
    parser = stage_parser("heldout", __doc__)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--discovery", type=Path, required=True, help="the discover stage's folder")
    parser.add_argument("--baselines", type=Path, required=True, help="the baselines stage's folder of tables")
    parser.add_argument("--out", type=Path, required=True, help="folder for evaluations.parquet, trajectory.parquet")
    parser.add_argument("--metrics", type=Path, required=True, help="folder of the headline figures (JSON)")
    args = parser.parse_args(argv)

    def body() -> None:
        p = load_params(args.params)
        sweep = heldout(p.heldout, p.data, args.store, args.discovery, args.baselines, args.out, args.metrics)
        print(f"heldout: {sweep.height} evaluations of the discovered controller -> {args.out}")

    return run_stage_main("heldout", body)


if __name__ == "__main__":
    raise SystemExit(main())
