"""`autotts sql` reaches the store and nothing else: every escape is refused with one line, no side effect."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from autotts.cli import main
from autotts.store.ingest import ingest_files
from tests.builders import branch, question, write_release


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "s.duckdb"
    ingest_files([write_release(tmp_path / "M" / "bench.json", [question([branch(["1"], 600, "1")], gold="1")])], path)
    return path


@pytest.fixture
def other(tmp_path: Path) -> Path:
    """Another store on the same disk, which a query must not be able to change."""
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    return path


def refused(capsys: pytest.CaptureFixture[str], store: Path, query: str) -> str:
    """Run `autotts sql QUERY`: it must exit 1 with one line on stderr and nothing on stdout; that line."""
    assert main(["sql", query, "--store", str(store)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("autotts sql: error: "), err
    return err


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_attach_of_another_store_for_writing_is_refused_and_it_stays_unchanged(
    store: Path, other: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sha(other)
    refused(capsys, store, f"ATTACH '{other}' AS o (READ_WRITE); DELETE FROM o.t")
    refused(capsys, store, f"ATTACH '{other}' AS o")
    assert sha(other) == before


def test_copy_to_a_file_is_refused_and_writes_nothing(store: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "leak.csv"
    refused(capsys, store, f"COPY (SELECT * FROM questions) TO '{target}'")
    assert not target.exists()


def test_export_database_is_refused_and_writes_nothing(store: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "export"
    refused(capsys, store, f"EXPORT DATABASE '{target}'")
    assert not target.exists()


@pytest.mark.parametrize("statement", ["INSTALL httpfs", "FORCE INSTALL httpfs", "LOAD httpfs"])
def test_extensions_are_neither_installed_nor_loaded(store: Path, statement: str, capsys) -> None:
    refused(capsys, store, statement)


def test_reading_other_files_is_refused(store: Path, other: Path, capsys) -> None:
    secret = other.with_name("secret.csv")
    secret.write_text("a\n1\n")
    for query in (f"SELECT * FROM read_csv('{secret}')", f"SELECT * FROM read_text('{secret}')",
                  f"SELECT * FROM '{secret}'", f"SELECT * FROM glob('{secret.parent}/*')"):
        refused(capsys, store, query)


@pytest.mark.parametrize("statement", ["SET enable_external_access = true", "RESET enable_external_access",
                                       "SET lock_configuration = false", "SET allowed_directories = ['/']"])
def test_the_confinement_cannot_be_switched_off(store: Path, statement: str, capsys) -> None:
    refused(capsys, store, statement)


def test_writes_to_the_store_are_refused(store: Path, capsys) -> None:
    before = sha(store)
    refused(capsys, store, "DELETE FROM probes")
    refused(capsys, store, "SELECT 1; DROP TABLE probes")
    assert sha(store) == before


def test_several_statements_are_all_shown(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "SELECT 1 AS one; SELECT 2 AS two;", "--store", str(store), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["-- 1: SELECT 1 AS one", "one", "1", "",
                                                    "-- 2: SELECT 2 AS two", "two", "2"]


def test_a_failing_statement_shows_no_result_of_the_others(store: Path, capsys) -> None:
    err = refused(capsys, store, "SELECT 1; SELEC 2")
    assert "SELEC" in err


@pytest.mark.parametrize("query", ["", "   ", ";", "-- only a comment"])
def test_no_statement_is_one_line(store: Path, query: str, capsys) -> None:
    err = refused(capsys, store, query)
    assert "no SQL statement given" in err or "query failed" in err
