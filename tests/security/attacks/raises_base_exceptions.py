"""BaseException subclasses instead of errors: KeyboardInterrupt and SystemExit out of solve().

A worker or a loop that only catches ``Exception`` stops (or exits with status 0 and no result),
as if the user had pressed Ctrl-C or the run had ended. It must be one more rejected candidate.
"""

from autotts.controllers.base import Controller


class Quitter(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        if question.read_new().answer.isdigit():
            raise KeyboardInterrupt("candidate pressed ctrl-c")
        raise SystemExit(0)


def make_controller(beta=0.5):
    return Quitter(beta)
