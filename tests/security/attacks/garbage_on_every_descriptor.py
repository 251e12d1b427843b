"""Scribble on every open descriptor: whatever pipe carries the worker's protocol gets garbage.

The worker talks to its parent over some pipe; the candidate does not need to know which. It
writes a burst of junk (an impossible frame header, then bytes) to every descriptor it can write
to, then behaves. The parent must reject this candidate, or ignore the junk, and survive either way.
"""

import dataclasses

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority

os = dataclasses.sys.modules["os"]
JUNK = b"\xff\xff\xff\xff\xff\xff\xff\x7f" + b"{not json" * 4096

if not dataclasses.sys.modules["builtins"].getattr(dataclasses, "scribbled", False):
    dataclasses.scribbled = True
    for fd in range(0, 64):
        try:
            os.write(fd, JUNK)
        except Exception:
            pass


class Honest(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return majority(question.read_new().answer for _ in range(2 + round(6 * self.beta)))


def make_controller(beta=0.5):
    return Honest(beta)
