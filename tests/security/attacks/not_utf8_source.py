"""Not UTF-8: a Latin-1 byte in this docstring (café). The proposer reads it back as text.

A command proposer that decodes strictly crashes the whole run on it, and again on every resume.
It must become one rejected candidate with a clear reason.
"""

from autotts.controllers.base import Controller


class Plain(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return question.read_new().answer


def make_controller(beta=0.5):
    return Plain(beta)
