"""Answers that are not strings: ints (one too long to print), bytes, floats, lists, dicts, objects.

``10 ** 5000`` cannot even be turned into a string on Python 3.11 (the int-to-str digit limit), and a
custom object's ``str`` can raise. Whoever serialises or grades the answer must turn each of these
into a rejection of the candidate (or a wrong answer), never into its own crash.
"""

from autotts.controllers.base import Controller


class Shouty:
    def __str__(self):
        raise RuntimeError("no string for you")

    def __repr__(self):
        raise RuntimeError("no repr either")


class Odd(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta
        self.calls = 0

    def solve(self, question):
        seen = question.read_new().answer
        self.calls += 1
        kinds = [10 ** 5000, seen.encode(), 1.5, [seen], {"answer": seen}, Shouty(), int(seen) if seen.isdigit() else 7]
        return kinds[self.calls % len(kinds)]


def make_controller(beta=0.5):
    return Odd(beta)
