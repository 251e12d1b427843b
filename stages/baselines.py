"""Stage ``baselines``: the paper's baselines at every budget and CMC's beta sweep, on one store.

dvc.yaml fans this stage out over (model, benchmark), one table per store, so
adding a model evaluates only that model's stores.
"""

from __future__ import annotations

from pathlib import Path

from autotts.errors import ConfigError
from autotts.evaluate.api import evaluate_matrix, load_matrices
from autotts.evaluate.parallel import EvalConfig
from autotts.methods import METHODS, method_label, method_spec
from autotts.results import Evaluation
from stages.cli import run_stage_main, stage_parser
from stages.io import evaluation_frame, write_parquet
from stages.params import BaselinesParams, load_params
from stages.progress import track

__all__ = ["baseline_configs", "baselines"]


def baseline_configs(params: BaselinesParams) -> list[tuple[EvalConfig, int | None]]:
    """``(configuration, budget)`` for every baseline evaluation the params ask for (CMC's budget: none)."""
    budgeted = [m.controller for m in METHODS if m.budget_param is not None]
    configs: list[tuple[EvalConfig, int | None]] = []
    for method in params.methods:
        if method not in budgeted:
            raise ConfigError(f"params baselines.methods: {method!r} is not one of {', '.join(budgeted)}")
        param = method_spec(method).budget_param or ""
        configs += [(EvalConfig(method, {param: budget}), budget) for budget in params.budgets]
    return configs + [(EvalConfig("cmc", {}, beta), None) for beta in params.cmc_betas]


def baselines(params: BaselinesParams, store: str | Path, model: str, benchmark: str, out: str | Path) -> int:
    """Evaluate every baseline configuration on (model, benchmark); write their table to ``out``."""
    (matrix,) = load_matrices(store, [model], [benchmark])
    rows: list[tuple[str, str, int | None, Evaluation]] = []
    for config, budget in track(baseline_configs(params), f"baselines {model}/{benchmark}"):
        ev = evaluate_matrix(matrix, config.controller, config.params, beta=config.beta, seeds=params.seeds,
                             trace_seeds=0)
        rows.append((config.controller, method_label(config), budget, ev))
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
