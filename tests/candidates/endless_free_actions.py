"""Prunes one branch over and over: each action legal and free, but without end.

The worker must stop the episode at the most actions its branches allow (tests/sandbox/test_commit_verify.py).
"""


def solve(question):
    first = question.branch()
    while True:
        try:
            question.prune(first.branch)
        except BaseException:
            pass
