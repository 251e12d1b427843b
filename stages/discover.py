"""Stage ``discover``: the discovery loop on the search benchmark -> policies, run history, metrics.

The loop only ever loads the search benchmark, and is told not to record into
the store, which is the ``ingest`` stage's output; its history stays in its
own folder, which DVC versions whole.

The loop runs in a work folder kept beside the output and named by what the
run computes (the discovery settings, the search data, the store's content),
so a Prefect retry or a re-run after a kill resumes where the last one
stopped, the proposer's reply cache included, instead of paying for every
proposal again. The finished run is copied into the output whole, without
what differs between two runs of the same inputs (where and how fast it ran),
and the work folder is removed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from autotts.discover.config import DiscoverConfig
from autotts.files import atomic_dir
from stages.cli import run_stage_main, stage_parser
from stages.io import write_json
from stages.params import DataParams, load_params

__all__ = ["discover", "summary_metrics"]


# Where the run went and how fast: they differ between two runs of the same inputs, so the output leaves them out.
_VOLATILE = ("run_id", "wall_seconds", "speed")
_WALL_TIME = re.compile(r"wall time \d+s, |^speed: .*\n", re.MULTILINE)  # the loop's words; the template search's


def discover(config: DiscoverConfig, data: DataParams, store: str | Path, out: str | Path, metrics: str | Path) -> str:
    """Run (or resume) the loop, copy it to the folder ``out`` (replaced whole), figures to ``metrics``; its report."""
    from autotts.discover import discover as run_discovery  # the loop's imports only when it runs

    work = work_folder(config, data, store, out)
    result = run_discovery(store, search_benchmark=data.search_benchmark, models=data.models, out=work,
                           config=config, record=False)
    summary = stable_summary(result.summary)
    with atomic_dir(out) as tmp:
        shutil.copytree(work, tmp, dirs_exist_ok=True)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=1))
    write_json(metrics, summary_metrics(summary))
    shutil.rmtree(work)
    return result.report


def work_folder(config: DiscoverConfig, data: DataParams, store: str | Path, out: str | Path) -> Path:
    """The resumable run's folder beside ``out``, one per (settings, search data, store content)."""
    key = json.dumps([config.identity(), data.search_benchmark, list(data.models), _sha256(Path(store))],
                     sort_keys=True)
    out = Path(out)
    return out.with_name(f".{out.name}.work") / hashlib.sha256(key.encode()).hexdigest()[:16]


def stable_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """``summary`` without what only says where and how fast the run went."""
    kept = {k: v for k, v in summary.items() if k not in _VOLATILE}
    kept["report"] = _WALL_TIME.sub("", summary["report"])
    return kept


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


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
