"""Unbounded recursion after lifting the recursion limit: the worker dies of SIGSEGV, no traceback.

The parent must record a crash for this candidate and go on, not die with it or misreport it.
"""

import typing

from autotts.controllers.base import Controller

typing.sys.setrecursionlimit(10 ** 7)


def down(n):
    return down(n + 1) + 1


class Deep(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return str(down(0))


def make_controller(beta=0.5):
    return Deep(beta)
