"""One episode with twelve million free actions: pruning the same branch again and again.

Pruning costs nothing and is legal any number of times, so a log can grow to whatever the frame
limit lets through without a token spent (12M int32 actions is 48 MB, under a 64 MB frame). A
parent that replays every logged action, recording an event object for each on a traced seed,
grows by gigabytes; it must bound the actions per episode or replay without materialising them.
Only the first episode is padded, so the worker's own cost stays a few seconds.
"""

import dataclasses

from autotts.controllers.base import Controller

if not dataclasses.sys.modules["builtins"].hasattr(dataclasses, "padded"):
    dataclasses.padded = []


class Chatty(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        seen = question.read_new()
        if not dataclasses.padded:
            dataclasses.padded.append(True)
            prune = question.prune
            for _ in range(12_000_000):
                prune(seen.branch)
        return seen.answer


def make_controller(beta=0.5):
    return Chatty(beta)
