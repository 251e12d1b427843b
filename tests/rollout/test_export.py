"""Export to the AutoTTS release format: a round trip with ingest gives the same data back."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pytest

from autotts.bundled import bundled_files
from autotts.cli import main
from autotts.errors import StoreError
from autotts.store.export import export_autotts_json
from autotts.store.ingest import ingest_files


@pytest.fixture(scope="module")
def release_file() -> Path:
    return next(p for p in bundled_files() if p.parent.name == "Qwen3-8B" and p.name.startswith("aime24"))


@pytest.fixture(scope="module")
def ingested(release_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("export") / "s.duckdb"
    ingest_files([release_file], store)
    return store


def test_bundled_release_file_round_trips_exactly(tmp_path: Path, release_file: Path, ingested: Path) -> None:
    out = tmp_path / "out" / "aime24.json.gz"
    assert export_autotts_json(ingested, "Qwen3-8B", "aime24", out) == 30
    assert json.loads(gzip.decompress(out.read_bytes())) == json.loads(gzip.decompress(release_file.read_bytes()))


def test_exported_file_ingests_into_an_identical_store(tmp_path: Path, ingested: Path) -> None:
    first = ingested
    out = tmp_path / "Qwen3-8B" / "aime24.json"
    assert (
        main(
            [
                "export",
                "autotts-json",
                "--store",
                str(first),
                "--model",
                "Qwen3-8B",
                "--benchmark",
                "aime24",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes()[:1] == b"["  # plain JSON without .gz
    second = tmp_path / "second.duckdb"
    ingest_files([out], second)
    sql = "SELECT * EXCLUDE (model, benchmark) FROM {} ORDER BY ALL"
    with duckdb.connect(str(first), read_only=True) as a, duckdb.connect(str(second), read_only=True) as b:
        for table in ("questions", "branches", "probes"):
            assert a.execute(sql.format(table)).fetchall() == b.execute(sql.format(table)).fetchall()


def test_exporting_a_missing_pair_is_an_error_and_writes_nothing(tmp_path: Path, ingested: Path) -> None:
    out = tmp_path / "x.json"
    with pytest.raises(StoreError, match="no traces for model 'Qwen3-8B', benchmark 'aime25'"):
        export_autotts_json(ingested, "Qwen3-8B", "aime25", out)
    assert not out.exists()
