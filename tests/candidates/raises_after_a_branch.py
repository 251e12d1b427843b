"""Spends one branch, then fails: a live run records the error with what the question spent
(tests/live/test_solve.py).
"""


def solve(question):
    question.branch()
    raise RuntimeError("boom")
