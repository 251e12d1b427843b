"""An honest controller: majority of 2..8 full reads. The loop must score it and pick a winner."""

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority


class Honest(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        reads = 2 + round(6 * self.beta)
        return majority(question.read_new().answer for _ in range(reads))


def make_controller(beta=0.5):
    return Honest(beta)
