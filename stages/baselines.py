"""Stage ``baselines``: the paper's baselines at every budget and CMC's beta sweep, on one store.

dvc.yaml fans this stage out over (model, benchmark), one table per store, so
adding a model evaluates only that model's stores.
"""

from __future__ import annotations

from pathlib import Path

from autotts.errors import ConfigError
from autotts.evaluate.api import evaluate_matrix, load_matrices
from autotts.evaluate.results import Evaluation
from stages.cli import run_stage_main, stage_parser
from stages.io import evaluation_frame, write_parquet
from stages.params import BaselinesParams, load_params
from stages.progress import track

__all__ = ["BUDGET_PARAM", "LABELS", "baseline_configs", "baselines"]

# Each baseline's budget parameter, and its label in tables and plots.
BUDGET_PARAM = {"sc": "k", "asc": "k", "esc": "k", "parallel-probe": "n"}
LABELS = {"sc": "SC", "asc": "ASC", "esc": "ESC", "parallel-probe": "Parallel-Probe", "cmc": "CMC"}

Config = tuple[str, dict[str, int], int | None, float | None]


def baseline_configs(params: BaselinesParams) -> list[Config]:
    """``(controller, params, budget, beta)`` for every baseline evaluation the params ask for."""
    for method in params.methods:
        if method not in BUDGET_PARAM:
            raise ConfigError(f"params baselines.methods: {method!r} is not one of {', '.join(BUDGET_PARAM)}")
    configs: list[Config] = [
        (method, {BUDGET_PARAM[method]: budget}, budget, None) for method in params.methods for budget in params.budgets
    ]
    configs += [("cmc", {}, None, beta) for beta in params.cmc_betas]
    return configs


def label(controller: str, budget: int | None, beta: float | None) -> str:
    """``SC@64``, ``CMC(beta=0.5)``: how a configuration is named in tables."""
    name = LABELS[controller]
    return f"{name}@{budget}" if budget is not None else f"{name}(beta={beta:g})"


def baselines(params: BaselinesParams, store: str | Path, model: str, benchmark: str, out: str | Path) -> int:
    """Evaluate every baseline configuration on (model, benchmark); write their table to ``out``."""
    (matrix,) = load_matrices(store, [model], [benchmark])
    rows: list[tuple[str, str, int | None, Evaluation]] = []
    for controller, cparams, budget, beta in track(baseline_configs(params), f"baselines {model}/{benchmark}"):
        ev = evaluate_matrix(matrix, controller, cparams, beta=beta, seeds=params.seeds, trace_seeds=0)
        rows.append((controller, label(controller, budget, beta), budget, ev))
    write_parquet(out, evaluation_frame(rows))
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = stage_parser("baselines", __doc__)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--benchmark", required=True)
    parser.add_argument("--out", type=Path, required=True, help="Parquet table of the evaluations")
    args = parser.parse_args(argv)

    def body() -> None:
        n = baselines(load_params(args.params).baselines, args.store, args.model, args.benchmark, args.out)
        print(f"baselines {args.model}/{args.benchmark}: {n} evaluations -> {args.out}")

    return run_stage_main("baselines", body)


if __name__ == "__main__":
    raise SystemExit(main())
