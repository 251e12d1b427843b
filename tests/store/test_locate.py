"""One obvious store: a command names the store it used, and reads find the one `dvc repro` built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autotts.cli import main
from autotts.store.locate import PIPELINE_STORE


@pytest.fixture
def pipeline_only(toy_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout where `dvc repro` built the pipeline's store and the CLI's own store does not exist."""
    root = tmp_path / "checkout"
    (root / PIPELINE_STORE).parent.mkdir(parents=True)
    shutil.copy(toy_store, root / PIPELINE_STORE)
    monkeypatch.chdir(root)
    monkeypatch.delenv("AUTOTTS_STORE", raising=False)
    return root


def test_a_read_uses_the_pipeline_store_and_says_so(pipeline_only: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "SELECT count(*) AS n FROM questions", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["n", "6"]
    assert err.strip() == "autotts sql: store data/pipeline/traces.duckdb (the pipeline's, built by dvc repro)"


def test_a_write_never_defaults_to_the_pipeline_store(pipeline_only: Path, capsys) -> None:
    before = (pipeline_only / PIPELINE_STORE).read_bytes()
    assert main(["eval", "--controller", "sc", "--param", "k=2", "--seeds", "1"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "autotts eval: store data/traces.duckdb (the default)"
    assert err[1].startswith("autotts eval: error: data/traces.duckdb: no trace store here")
    assert (pipeline_only / PIPELINE_STORE).read_bytes() == before


def test_the_environment_names_the_store(pipeline_only: Path, toy_store: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("AUTOTTS_STORE", str(toy_store))
    assert main(["eval", "--controller", "sc", "--param", "k=2", "--seeds", "1", "--json"]) == 0
    assert capsys.readouterr().err.strip() == f"autotts eval: store {toy_store} (from $AUTOTTS_STORE)"
