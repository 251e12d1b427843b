"""Reads a number of branches drawn from today's date.

On the real clock it is the same all day long, so its commitment and its verification would agree; they
differ only because the worker's clock is its own. Verification must reject it as nondeterministic
(tests/sandbox/test_commit_verify.py).
"""

import numpy as np

from autotts.controllers.voting import majority

READS = 1 + int(np.datetime64("now", "D").astype("int64")) % 5


def solve(question):
    return majority(question.read_new().answer for _ in range(READS))
