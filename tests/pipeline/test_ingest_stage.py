"""The ingest stage: release files or rollout stores in, a fresh store out; and spotting new source data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autotts.errors import ConfigError
from autotts.evaluate.api import load_matrices
from stages.ingest import ingest, stale_sources
from stages.params import DataParams, IngestParams

REPO = Path(__file__).resolve().parents[2]
DATA = DataParams(models=("Qwen3-8B",), benchmarks=("aime24", "aime25"), search_benchmark="aime24")


def test_release_files_become_a_store_of_the_selected_pairs(tmp_path: Path) -> None:
    store = tmp_path / "traces.duckdb"
    params = IngestParams("autotts-json", str(REPO / "data/autotts-replay"))
    got = ingest(params, DATA, store)
    assert [(s.benchmark, s.questions) for s in got] == [("aime24", 30), ("aime25", 30)]
    assert stale_sources(params, DATA, store) == []


def test_rollout_stores_are_exported_and_ingested(tmp_path: Path, bundled_store: Path) -> None:
    rollouts = tmp_path / "rollouts"
    rollouts.mkdir()
    shutil.copyfile(bundled_store, rollouts / "run.duckdb")
    store = tmp_path / "traces.duckdb"
    ingest(IngestParams("rollouts", str(rollouts)), DATA, store)
    (ours,) = load_matrices(store, ["Qwen3-8B"], ["aime25"])
    (theirs,) = load_matrices(bundled_store, ["Qwen3-8B"], ["aime25"])
    assert (ours.branch_tokens == theirs.branch_tokens).all() and ours.gold_answers == theirs.gold_answers


def test_changed_source_data_is_reported_stale(tmp_path: Path) -> None:
    source = tmp_path / "replay"
    shutil.copytree(REPO / "data/autotts-replay/Qwen3-8B", source / "Qwen3-8B")
    params = IngestParams("autotts-json", str(source))
    store = tmp_path / "traces.duckdb"
    assert stale_sources(params, DATA, store) == ["Qwen3-8B/aime24", "Qwen3-8B/aime25"]
    ingest(params, DATA, store)
    shutil.copyfile(REPO / "data/autotts-replay/Qwen3-4B/aime25.json.gz", source / "Qwen3-8B/aime25.json.gz")
    assert stale_sources(params, DATA, store) == ["Qwen3-8B/aime25"]


def test_a_missing_pair_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no math500\.json\.gz"):
        ingest(IngestParams("autotts-json", str(REPO / "data/autotts-replay")),
               DataParams(("Qwen3-8B",), ("aime24", "math500"), "aime24"), tmp_path / "s.duckdb")
