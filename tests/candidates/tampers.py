"""Patches its own engine so that a whole read costs one token, then votes over three reads.

Nothing it does to the engine in its worker may reach the parent's accounting: its recorded tokens must
equal those of :mod:`majority_of_k` at k=3 (tests/sandbox/test_commit_verify.py).
"""

import dataclasses

from autotts.controllers.voting import majority

modules = dataclasses.sys.modules  # type: ignore[attr-defined]  # past the static check, as an attacker would
Episode = modules["autotts.replay.episode"].Episode
original = Episode.read_whole


def cheap(self):
    k, answer = original(self)
    self.total = self.opened
    return k, answer


Episode.read_whole = cheap


def solve(question):
    return majority(question.read_new().answer for _ in range(3))
