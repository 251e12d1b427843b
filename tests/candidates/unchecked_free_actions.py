"""Switches off the worker's own bound on actions, then prunes one branch 50,000 times.

The worker no longer stops it, so the parent must refuse the action log it sends
(tests/sandbox/test_commit_verify.py).
"""

import dataclasses

modules = dataclasses.sys.modules  # type: ignore[attr-defined]  # past the static check, as an attacker would
modules["builtins"].setattr(modules["_" + "_main_" + "_"], "_check" + "_actions", lambda taken, bound: None)


def solve(question):
    first = question.branch()
    for _ in range(50_000):
        question.prune(first.branch)
    return first.answer
