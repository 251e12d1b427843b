"""Stage ``ingest``: replay traces (release files or a rollout store) -> a fresh DuckDB store.

The store is this stage's output alone: later stages only read it, so DVC's
record of it stays true. Rollouts arrive through the release format too
(exported from the rollout store), so both sources take one validated path in.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from autotts.errors import ConfigError
from autotts.store.autotts_json import default_names, read_autotts_json
from autotts.store.connection import open_store
from autotts.store.ingest import IngestedStore, ingest_files
from stages.cli import run_stage_main, stage_parser
from stages.params import DataParams, IngestParams, load_params

__all__ = ["ingest", "release_files", "stale_sources"]


def release_files(params: IngestParams, data: DataParams, scratch: Path) -> list[Path]:
    """The release-format file of every selected (model, benchmark); rollout stores are exported to ``scratch``."""
    source = Path(params.path)
    if params.source == "rollouts":
        return _export_rollouts(source, data, scratch)
    if not source.is_dir():
        raise ConfigError(f"params ingest.path: {source} is not a folder of <model>/<benchmark>.json.gz files")
    files = []
    for model in data.models:
        for benchmark in data.benchmarks:
            found = [p for p in (source / model / f"{benchmark}.json.gz", source / model / f"{benchmark}.json")
                     if p.is_file()]
            if not found:
                raise ConfigError(f"{source / model}: no {benchmark}.json.gz or {benchmark}.json to ingest")
            files.append(found[0])
    return files


def _export_rollouts(folder: Path, data: DataParams, scratch: Path) -> list[Path]:
    """Each selected (model, benchmark) from the rollout store under ``folder`` that holds it, as a release file."""
    from autotts.replay.matrix import list_stores
    from autotts.store.export import export_autotts_json

    holders: dict[tuple[str, str], Path] = {}
    for store in sorted(folder.glob("*.duckdb")):
        con = open_store(store, read_only=True)
        try:
            holders.update({pair: store for pair in list_stores(con)})
        finally:
            con.close()
    files = []
    for model in data.models:
        for benchmark in data.benchmarks:
            if (model, benchmark) not in holders:
                raise ConfigError(f"{folder}: no rollout store holds model {model!r}, benchmark {benchmark!r}")
            files.append(scratch / model / f"{benchmark}.json.gz")
            export_autotts_json(holders[(model, benchmark)], model, benchmark, files[-1])
    return files


def ingest(params: IngestParams, data: DataParams, store: str | Path) -> list[IngestedStore]:
    """Build the store at ``store`` from scratch with the selected stores' traces."""
    with tempfile.TemporaryDirectory(prefix="autotts-ingest-") as scratch:
        return ingest_files(release_files(params, data, Path(scratch)), store, whole=True)


def stale_sources(params: IngestParams, data: DataParams, store: str | Path) -> list[str]:
    """``model/benchmark`` of every selected store whose source data differs from what ``store`` holds."""
    if not Path(store).is_file():
        return [f"{m}/{b}" for m in data.models for b in data.benchmarks]
    con = open_store(store, read_only=True)
    try:
        held = {(m, b): sha for m, b, sha in con.execute("SELECT model, benchmark, sha256 FROM sources").fetchall()}
    finally:
        con.close()
    with tempfile.TemporaryDirectory(prefix="autotts-ingest-") as scratch:
        files = release_files(params, data, Path(scratch))
        current = {default_names(f): read_autotts_json(f).sha256 for f in files}
    return [f"{m}/{b}" for (m, b), sha in current.items() if held.get((m, b)) != sha]


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
