"""One full read; answers looked up by what the read revealed (a table the proposer wrote).

The candidate tests/security/gold_proposer.py writes: it sets TABLE to what it could read of the store,
``repr((final answer, tokens spent))`` to the gold answer, and leaves the rest of this file as it is.
"""

from autotts.controllers.base import Controller

TABLE: dict[str, str] = {}


class Lookup(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        seen = question.read_new()
        return TABLE.get(repr((seen.answer, question.tokens_used)), seen.answer)


def make_controller(beta=0.5):
    return Lookup(beta)
