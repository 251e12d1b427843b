"""Text that hostile parties put in the store reaching a person's terminal through ``autotts sql``.

A trace file's answers, a candidate's answers and failure text, an LLM's whole reply: all are stored as
text and read back with ``autotts sql``. Printed raw, their control characters are obeyed by the terminal
(a screen cleared, a forged row printed, the window title or clipboard set through OSC sequences).
"""

from __future__ import annotations

from pathlib import Path

from tests.builders import branch, question, write_release
from tests.security import harness as h

FORGED = "\x1b[2J\x1b[H\x1b]52;c;cm0gLXJmIH4K\x07model  accuracy\n-----  --------\nM      100.00"


def test_an_ingested_answer_reaches_the_terminal_as_text_not_escapes(tmp_path: Path) -> None:
    release = write_release(tmp_path / "M" / "bench.json", [question([branch([FORGED], 10, FORGED)], gold="1")])
    store = tmp_path / "s.duckdb"
    assert h.run_cli("ingest", "autotts-json", str(release), "--store", str(store)).returncode == 0
    ran = h.run_cli("sql", "--store", str(store), "SELECT final_answer, 1 AS n FROM branches")
    assert ran.returncode == 0, ran.stderr[-2000:]
    obeyed = sorted({repr(c) for c in ran.stdout if not c.isprintable() and c != "\n"})
    assert not obeyed, f"control characters from the trace file reached the terminal: {obeyed}"
    assert len(ran.stdout.splitlines()) == 3, f"a stored answer printed extra table lines:\n{ran.stdout}"
    failed = h.run_cli("sql", "--store", str(store), "SELECT CAST(final_answer AS INTEGER) FROM branches")
    assert failed.returncode == 1 and "Could not convert" in failed.stderr, failed.stderr[-2000:]
    obeyed = sorted({repr(c) for c in failed.stderr if not c.isprintable() and c != "\n"})
    assert not obeyed, f"control characters quoted by an error reached the terminal: {obeyed}"
