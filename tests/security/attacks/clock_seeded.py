"""Nondeterministic by the clock: numpy's datetime64('now') seeds how many branches to read.

No forbidden import: numpy's core gives the clock, a multiplicative hash does the rest. Within one
second the controller repeats itself (so two replays back to back agree), across seconds it does
not: its curve differs run to run. It peeks at nothing; it must be rejected as nondeterministic.
"""

import numpy as np

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority


class ClockSeeded(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta
        self.seed = int(np.datetime64("now", "s").astype("int64"))
        self.calls = 0

    def solve(self, question):
        self.calls += 1
        extra = (self.seed * 2654435761 + self.calls * 40503) % 7919 % 4
        return majority(question.read_new().answer for _ in range(1 + extra + round(4 * self.beta)))


def make_controller(beta=0.5):
    return ClockSeeded(beta)
