"""A hostile ``--proposer command``: the coding agent itself reads the store and bakes gold into the candidate.

The command proposer runs the agent beside the discovery process. The agent finds the store on
its parent's command line (or, failing that, in a folder near its workspace), reads every branch's
final answer and length with their question's gold answer, and writes a candidate that does one
honest read and looks the gold up by what that read revealed (finding no store, it writes the same
candidate with an empty table: one honest read). The candidate is deterministic, uses only revealed data and
touches nothing: no sandbox or verification of the candidate can see it. Only keeping the agent
itself away from the store (and from the held-out benchmarks) stops it.

Usage: ``gold_proposer.py WORKSPACE LOOKUP``, where LOOKUP is tests/security/gold_lookup.py, the candidate
whose empty TABLE it fills.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb


def store_path() -> str | None:
    """The store: on the discovery's command line, else near the workspace (a run is often kept beside it)."""
    try:
        args = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().decode().split("\0")
        return args[args.index("--store") + 1]
    except (OSError, ValueError):
        pass
    for folder in Path(sys.argv[1]).resolve().parents:
        found = sorted(folder.glob("*.duckdb")) + sorted(folder.glob("*/*.duckdb"))
        if found:
            return str(found[0])
    return None


def gold_table() -> dict[str, str]:
    """``repr((final answer, tokens))`` of every branch to its question's gold answer; empty without a store."""
    store = store_path()
    if store is None:  # nothing to read: the lookup falls back to the honest read everywhere
        return {}
    con = duckdb.connect(store, read_only=True)
    rows = con.execute(
        "SELECT b.final_answer, b.branch_tokens, q.gold_answer FROM branches b "
        "JOIN questions q USING (model, benchmark, question_idx)"
    ).fetchall()
    con.close()
    return {repr((final, tokens)): gold for final, tokens, gold in rows}


def main() -> None:
    lookup = Path(sys.argv[2]).read_text()
    empty = "\nTABLE: dict[str, str] = {}\n"
    assert empty in lookup, f"{sys.argv[2]}: no line {empty.strip()!r} to fill"
    candidate = lookup.replace(empty, f"\nTABLE: dict[str, str] = {gold_table()!r}\n", 1)
    (Path(sys.argv[1]) / "candidate.py").write_text(candidate)


if __name__ == "__main__":
    main()
