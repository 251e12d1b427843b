"""An honest file controller: the majority answer of ``k`` whole reads.

The plainest file a user could hand over, so the tests that need an honest stranger use it: it runs
sandboxed, is recorded with its origin (tests/sandbox/test_routing.py) and is the yardstick a tampering
candidate is measured against (tests/sandbox/test_commit_verify.py).
"""

from autotts.controllers.voting import majority


def solve(question, k=3):
    return majority(question.read_new().answer for _ in range(k))
