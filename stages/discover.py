"""Stage ``discover``: the discovery loop on the search benchmark -> policies, run history, metrics.

The loop only ever loads the search benchmark, and is told not to record into
the store, which is the ``ingest`` stage's output; its history stays in its
own folder, which DVC versions whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autotts.discover.config import DiscoverConfig
from autotts.files import atomic_dir
from stages.cli import run_stage_main, stage_parser
from stages.io import write_json
from stages.params import DataParams, load_params

__all__ = ["discover", "summary_metrics"]


def discover(config: DiscoverConfig, data: DataParams, store: str | Path, out: str | Path, metrics: str | Path) -> str:
    """Run the loop into the folder ``out`` (replaced whole), write its figures to ``metrics``; its report."""
    from autotts.discover import discover as run_discovery  # the loop's imports only when it runs

    with atomic_dir(out) as tmp:
        result = run_discovery(store, search_benchmark=data.search_benchmark, models=data.models, out=tmp,
                               config=config, record=False)
    write_json(metrics, summary_metrics(result.summary))
    return result.report


def summary_metrics(summary: dict[str, Any]) -> dict[str, Any]:
    """The run's figures that DVC shows and diffs: the winner's scores, the rounds, savings against SC@64."""
    best = summary["finalists"][summary["best_candidate"]]
    rounds = summary["rounds"]
    return {
        "search_score": best["search_score"],
        "full_score": best["full_score"],
        "rounds": len(rounds),
        "candidates": sum(r["candidates"] for r in rounds),
        "rejected": sum(r["rejected"] for r in rounds),
        "cost": summary["cost"],
        "tokens_saved_vs_sc64": {m: e.get("saved") for m, e in summary["vs_sc64"].items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = stage_parser("discover", __doc__)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder for best.py, summary.json and the history")
    parser.add_argument("--metrics", type=Path, required=True, help="JSON of the summary figures")
    args = parser.parse_args(argv)

    def body() -> None:
        p = load_params(args.params)
        print(discover(p.discover, p.data, args.store, args.out, args.metrics))

    return run_stage_main("discover", body)


if __name__ == "__main__":
    raise SystemExit(main())
