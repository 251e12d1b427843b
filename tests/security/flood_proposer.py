"""A hostile ``--proposer command`` that floods its standard output, then hands in an honest candidate.

The discovery keeps the agent's output to show what it said; kept whole, 1.5 GB of it is 1.5 GB
(twice, while it is joined) in the discovery process, which a jail around the agent does not stop.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

FLOOD = 1536 << 20  # 1.5 GiB
HONEST = '''"""Majority of 2..8 full reads."""

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority


class Honest(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return majority(question.read_new().answer for _ in range(2 + round(6 * self.beta)))


def make_controller(beta=0.5):
    return Honest(beta)
'''


def main() -> None:
    block = b"all work and no play " * 50_000  # ~1 MB
    for _ in range(FLOOD // len(block)):
        os.write(1, block)
    (Path(sys.argv[1]) / "candidate.py").write_text(HONEST)


if __name__ == "__main__":
    main()
