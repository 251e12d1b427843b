"""Overflow the C stack: lift the recursion limit and take the repr of a list nested 200,000 deep.

The worker dies of SIGSEGV with no traceback and no result. The parent must record a crash for
this candidate and go on, not die with it or misreport it.
"""

import typing

from autotts.controllers.base import Controller

typing.sys.setrecursionlimit(10 ** 7)


class Deep(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        nested = []
        for _ in range(200_000):
            nested = [nested]
        return str(len(repr(nested)))


def make_controller(beta=0.5):
    return Deep(beta)
