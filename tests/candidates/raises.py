"""Gives up with an exception: recorded as an exception failure with its traceback (tests/discover)."""


def solve(question, beta=0.5):
    raise RuntimeError("candidate gave up")
