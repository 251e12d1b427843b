"""Reads a number of branches drawn from the clock, so it differs run to run.

Verification must reject it as nondeterministic (tests/sandbox/test_commit_verify.py): its commitment and
its rerun disagree although it never peeks.
"""

import dataclasses

from autotts.controllers.voting import majority

clock = dataclasses.sys.modules["time"].perf_counter_ns  # type: ignore[attr-defined]  # past the static check


def solve(question):
    reads = 1 + clock() // 1000 % 5
    return majority(question.read_new().answer for _ in range(reads))
