"""Nondeterministic by OS entropy: an unseeded numpy generator picks how many branches to read.

It peeks at nothing. It must be rejected, and as nondeterministic, not as peeking.
"""

import numpy as np

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority


class Coin(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta
        self.rng = np.random.default_rng()

    def solve(self, question):
        reads = 1 + int(self.rng.integers(0, 4)) + round(4 * self.beta)
        return majority(question.read_new().answer for _ in range(reads))


def make_controller(beta=0.5):
    return Coin(beta)
