"""An action log of a hundred thousand free actions per episode: pruning one branch again and again.

Pruning costs nothing and is legal any number of times, so each episode's log grows without a token
spent. A parent that ships every log home and replays it must bound what it accepts, or this
candidate decides its memory and time.
"""

from autotts.controllers.base import Controller


class Chatty(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        seen = question.read_new()
        for _ in range(100_000):
            question.prune(seen.branch)
        return seen.answer


def make_controller(beta=0.5):
    return Chatty(beta)
