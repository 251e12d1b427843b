"""Stage ``report``: evaluation tables -> Table 1 (markdown), curves, trajectory, one offline HTML page.

It also prints the end-of-run summary: what was discovered and how it fares
against the baselines on the search and the held-out benchmarks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from autotts.evaluate.parallel import EvalConfig
from autotts.files import atomic_dir, atomic_path, atomic_write
from autotts.methods import DISCOVERED, method_label
from autotts.paper import published_table
from autotts.report import Section, markdown_table, render_page, save_figure, scaling_curves, table1, trajectory_figure
from stages.cli import run_stage_main, stage_parser
from stages.heldout import read_baselines
from stages.params import DataParams, ReportParams, load_params
from stages.progress import track

__all__ = ["ReportOutputs", "report", "summary_text", "table_labels"]

PAPER_SEEDS = 100


@dataclass(frozen=True, slots=True)
class ReportOutputs:
    """Where the report's files go."""

    table: Path
    html: Path
    figures: Path
    curves: Path
    trajectory: Path


def table_labels(evaluations: pl.DataFrame, betas: Sequence[float]) -> list[str]:
    """Table 1's methods: each baseline at its largest budget, CMC and the discovered one at ``betas``."""
    labels = []
    budgeted = evaluations.filter(pl.col("budget").is_not_null())
    for family in budgeted.get_column("family").unique(maintain_order=True).to_list():
        top = budgeted.filter(pl.col("family") == family).sort("budget").row(-1, named=True)
        labels.append(top["label"])
    for controller in ("cmc", DISCOVERED):
        labels += [method_label(EvalConfig(controller, {}, b)) for b in betas]
    return labels


def report(
    params: ReportParams, data: DataParams, table_betas: Sequence[float], baselines: str | Path, heldout: str | Path,
    out: ReportOutputs,
) -> str:
    """Write every report file; return the end-of-run summary text."""
    heldout = Path(heldout)
    evaluations = pl.concat([read_baselines(baselines), pl.read_parquet(heldout / "evaluations.parquet")])
    evaluations = evaluations.filter(pl.col("model").is_in(list(data.models)))
    trajectory = pl.read_parquet(heldout / "trajectory.parquet")
    splits = {b: data.split(b) for b in data.benchmarks}
    labels = table_labels(evaluations, table_betas)
    published = published_table() if evaluations.get_column("seeds").min() == PAPER_SEEDS else {}
    table = table1(evaluations, splits, labels, published=published)
    summary = summary_text(evaluations, labels, splits, trajectory)

    with atomic_dir(out.figures) as tmp:
        images = []
        pairs = [(m, b) for m in data.models for b in data.benchmarks]
        for model, benchmark in track(pairs, "report figures", unit="figure"):
            fig = scaling_curves(evaluations, model, benchmark, split=splits[benchmark])
            images.append(save_figure(fig, tmp / f"curves-{model}-{benchmark}", params.formats))
        trajectory_images = save_figure(trajectory_figure(trajectory, splits), tmp / "trajectory", params.formats)
        page = render_page("autotts: discovered controller vs baselines", [
            Section("Summary", text=summary),
            Section("Table 1: accuracy (%) and tokens (thousands) per question"
                    + (" - the paper's figures in parentheses" if published else ""), table=table),
            Section("Scaling curves: accuracy vs tokens", images=[paths[0] for paths in images]),
            Section("Discovery trajectory", images=[trajectory_images[0]]),
        ])
    atomic_write(out.table, markdown_table(table))
    atomic_write(out.html, page)
    with atomic_path(out.curves) as tmp_csv:
        evaluations.with_columns(pl.col("benchmark").replace_strict(splits).alias("split")).select(
            "model", "benchmark", "split", "family", "label", "avg_tokens", "accuracy"
        ).sort("model", "benchmark", "family", "avg_tokens").write_csv(tmp_csv)
    with atomic_path(out.trajectory) as tmp_csv:
        (trajectory.group_by("round", "benchmark").agg(pl.col("accuracy").mean(), pl.col("avg_tokens").mean(),
                                                       pl.col("objective").first())
         .sort("round", "benchmark").write_csv(tmp_csv))
    return summary


def summary_text(
    evaluations: pl.DataFrame, labels: Sequence[str], splits: dict[str, str], trajectory: pl.DataFrame
) -> str:
    """The figures a reader wants first: Table 1's methods averaged over models, and the rounds run."""
    means = (
        evaluations.filter(pl.col("label").is_in(list(labels)))
        .group_by("label", "benchmark")
        .agg(pl.col("accuracy").mean(), (pl.col("avg_tokens").mean() / 1000).alias("tokens_k"))
    )
    figures = {(r["label"], r["benchmark"]): (r["accuracy"], r["tokens_k"]) for r in means.iter_rows(named=True)}
    width = max(len(label) for label in labels)
    lines = ["mean over models".ljust(width) + "".join(f"  {f'{b} ({s})':>20}" for b, s in splits.items())]
    for label in labels:
        cells = [figures.get((label, b)) for b in splits]
        lines.append(label.ljust(width) + "".join(
            f"  {c[0]:>8.2f}% {c[1]:>9.1f}k" if c else f"  {'-':>20}" for c in cells))
    rounds = trajectory.get_column("round").n_unique() if trajectory.height else 0
    lines.append(f"discovery: {rounds} rounds in the trajectory")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = stage_parser("report", __doc__)
    parser.add_argument("--baselines", type=Path, required=True)
    parser.add_argument("--heldout", type=Path, required=True)
    parser.add_argument("--table", type=Path, required=True, help="markdown Table 1")
    parser.add_argument("--html", type=Path, required=True, help="the self-contained page")
    parser.add_argument("--figures", type=Path, required=True, help="folder of PNG/SVG figures")
    parser.add_argument("--curves", type=Path, required=True, help="CSV of every (tokens, accuracy) point")
    parser.add_argument("--trajectory", type=Path, required=True, help="CSV of the per-round trajectory")
    args = parser.parse_args(argv)

    def body() -> None:
        p = load_params(args.params)
        outputs = ReportOutputs(args.table, args.html, args.figures, args.curves, args.trajectory)
        summary = report(p.report, p.data, p.heldout.table_betas, args.baselines, args.heldout, outputs)
        print(summary)
        print(f"report: {args.html} (open it in a browser; it works offline), {args.table}")

    return run_stage_main("report", body)


if __name__ == "__main__":
    raise SystemExit(main())
