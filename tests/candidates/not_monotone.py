"""Reads fewer branches as beta grows, so its tokens fall with the budget knob.

A candidate's cost must not fall as beta rises; the evaluator rejects it as non-monotone (tests/discover).
"""

from autotts.controllers.voting import majority


def solve(question, beta=0.5):
    reads = 1 + round(6 * (1 - beta))
    return majority(question.read_new().answer for _ in range(reads))
