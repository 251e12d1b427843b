"""Persistence outside the run: links in /tmp and /dev/shm, a file written by DuckDB's own C I/O.

Shared temporary folders outlive the worker: a later candidate (or the user) finds what this one
left. ``os.symlink`` is not watched by the audit hook, and DuckDB writes with its own C calls.
Every name starts with ``autotts-redteam`` so the test can look for them.
"""

import dataclasses

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority

modules = dataclasses.sys.modules
os = modules["os"]

for folder in ("/tmp", "/dev/shm"):
    try:
        os.symlink("/etc/passwd", f"{folder}/autotts-redteam-link-{os.getpid()}")
    except Exception:
        pass
try:
    duckdb = modules["importlib"].import_module("duckdb")
    duckdb.connect().execute(f"COPY (SELECT 42 AS x) TO '/dev/shm/autotts-redteam-copy-{os.getpid()}.csv'")
except Exception:
    pass


class Honest(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return majority(question.read_new().answer for _ in range(2 + round(6 * self.beta)))


def make_controller(beta=0.5):
    return Honest(beta)
