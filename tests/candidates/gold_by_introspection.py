"""Reaches the engine's private table through a dunder chain from the question object.

The static check must refuse it before it runs ("dunder attribute access"), in the evaluator's and the
loop's tests (tests/discover).
"""


def solve(question, beta=0.5):
    return question.__class__.__init__.__globals__["_LIVE"]
