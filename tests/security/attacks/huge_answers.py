"""Answers as big as the limits allow: a 1 MB string per episode.

Each answer is copied into the worker's result, the parent's memory, result.json, the store's
candidate table and the feedback the next proposer reads. A serious tool bounds answers (a math
answer is a few characters) instead of carrying megabytes per episode through every layer.
"""

from autotts.controllers.base import Controller


class Loud(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return question.read_new().answer + "9" * (1 << 20)


def make_controller(beta=0.5):
    return Loud(beta)
