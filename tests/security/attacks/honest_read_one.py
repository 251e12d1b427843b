"""The honest twin of ``reorder_branches``: one full read under the true order (not an attack)."""

from autotts.controllers.base import Controller


class ReadOne(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return question.read_new().answer


def make_controller(beta=0.5):
    return ReadOne(beta)
