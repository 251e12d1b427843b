"""A hostile ``--proposer command``: the coding agent itself reads the store and bakes gold into the candidate.

The command proposer runs the agent with the user's rights, beside the discovery process. The
agent finds the store on its parent's command line, reads every branch's final answer and length
with their question's gold answer, and writes a candidate that does one honest read and looks the
gold up by what that read revealed. The candidate is deterministic, uses only revealed data and
touches nothing: no sandbox or verification of the candidate can see it. Only keeping the agent
itself away from the store (and from the held-out benchmarks) stops it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb

TEMPLATE = '''"""One full read; answers looked up by what the read revealed (a table the proposer wrote)."""

from autotts.controllers.base import Controller

TABLE = {table!r}


class Lookup(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        seen = question.read_new()
        return TABLE.get(repr((seen.answer, question.tokens_used)), seen.answer)


def make_controller(beta=0.5):
    return Lookup(beta)
'''


def store_path() -> str:
    args = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().decode().split("\0")
    return args[args.index("--store") + 1]


def main() -> None:
    con = duckdb.connect(store_path(), read_only=True)
    rows = con.execute("SELECT b.final_answer, b.branch_tokens, q.gold_answer FROM branches b "
                       "JOIN questions q USING (model, benchmark, question_idx)").fetchall()
    con.close()
    table = {repr((final, tokens)): gold for final, tokens, gold in rows}
    (Path(sys.argv[1]) / "candidate.py").write_text(TEMPLATE.format(table=table))


if __name__ == "__main__":
    main()
