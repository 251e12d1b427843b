"""Reads one branch more in every episode after the first: its actions depend on the episodes before.

Episodes must be independent, so verification (which reruns a sample of them alone) must reject it as
nondeterministic (tests/sandbox/test_commit_verify.py).
"""

from autotts.controllers.voting import majority

seen: list[int] = []


def solve(question):
    seen.append(1)
    return majority(question.read_new().answer for _ in range(min(len(seen), 6)))
