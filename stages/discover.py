"""Stage ``discover``: the discovery loop on the search benchmark -> policies, run history, metrics.

The loop only ever sees the search benchmark; it runs on a private copy of
the store so whatever it records there never alters the ``ingest`` output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stages.cli import run_stage_main, stage_parser
from stages.io import atomic_dir, scratch_copy, write_json
from stages.params import DataParams, DiscoverParams, load_params

__all__ = ["discover", "summary_metrics"]


def discover(params: DiscoverParams, data: DataParams, store: str | Path, out: str | Path, metrics: str | Path) -> Path:
    """Run the loop into the folder ``out`` (replaced whole) and write its summary figures to ``metrics``."""
    from autotts.discover import discover as run_discovery  # the loop's heavy imports only when it runs

    with scratch_copy(store) as private, atomic_dir(out) as tmp:
        result = run_discovery(
            private,
            search_benchmark=data.search_benchmark,
            models=data.models,
            rounds=params.rounds,
            candidates=params.candidates,
            proposer=params.proposer,
            betas=params.betas,
            objective=params.objective,
            seed=params.seed,
            out=tmp,
            max_cost=params.max_cost,
            seeds=params.seeds,
        )
        summary = dict(result.summary)
    write_json(metrics, summary_metrics(summary))
    return Path(out) / "best.py"


def summary_metrics(summary: dict[str, Any]) -> dict[str, Any]:
    """The numeric figures of a discovery summary (nested as they are), which DVC can show and diff."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            nested = summary_metrics(value)
            if nested:
                out[key] = nested
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = value
    return out


def main(argv: list[str] | None = None) -> int:
    parser = stage_parser("discover", __doc__)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder for best.py, summary.json and the history")
    parser.add_argument("--metrics", type=Path, required=True, help="JSON of the summary figures")
    args = parser.parse_args(argv)

    def body() -> None:
        p = load_params(args.params)
        best = discover(p.discover, p.data, args.store, args.out, args.metrics)
        print(f"discover: {p.discover.rounds} rounds on {p.data.search_benchmark} -> {best}")

    return run_stage_main("discover", body)


if __name__ == "__main__":
    raise SystemExit(main())
