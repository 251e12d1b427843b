"""Stage ``ingest``: replay traces (release files or rollouts) -> a fresh DuckDB store.

The store is this stage's output alone: later stages open it read-only (or
work on a private copy), so DVC's record of it stays true.
"""

from __future__ import annotations

from pathlib import Path

from autotts.errors import ConfigError
from autotts.store.ingest import IngestedStore, ingest_files
from stages.cli import run_stage_main, stage_parser
from stages.io import atomic_path
from stages.params import DataParams, IngestParams, load_params

__all__ = ["ingest", "source_files"]


def source_files(params: IngestParams, data: DataParams) -> list[Path]:
    """The release-format file of every selected (model, benchmark), in order; a missing one is an error."""
    root = Path(params.path)
    if not root.is_dir():
        raise ConfigError(f"params ingest.path: {root} is not a folder")
    if params.source == "rollouts":
        # autotts rollout writes its traces in the release format, one folder per model.
        root = root / "replay"
    files = []
    for model in data.models:
        for benchmark in data.benchmarks:
            found = [p for p in (root / model / f"{benchmark}.json.gz", root / model / f"{benchmark}.json") if p.is_file()]
            if not found:
                raise ConfigError(f"{root / model}: no {benchmark}.json.gz or {benchmark}.json to ingest")
            files.append(found[0])
    return files


def ingest(params: IngestParams, data: DataParams, store: str | Path) -> list[IngestedStore]:
    """Build the store at ``store`` from scratch with the selected stores' traces."""
    with atomic_path(store) as tmp:
        return ingest_files(source_files(params, data), tmp)


def main(argv: list[str] | None = None) -> int:
    parser = stage_parser("ingest", __doc__)
    parser.add_argument("--store", type=Path, required=True, help="the DuckDB store to (re)create")
    args = parser.parse_args(argv)

    def body() -> None:
        p = load_params(args.params)
        stores = ingest(p.ingest, p.data, args.store)
        print(f"ingest: {len(stores)} stores, {sum(s.questions for s in stores)} questions -> {args.store}")

    return run_stage_main("ingest", body)


if __name__ == "__main__":
    raise SystemExit(main())
