"""Misbehaving candidate sources, one per rule a candidate can break."""

from __future__ import annotations

_HEADER = """
from autotts.controllers.base import Controller
from autotts.controllers.voting import majority
"""


def _controller(body: str, prelude: str = "") -> str:
    return _HEADER + prelude + f"""

class Bad(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
{body}


def make_controller(beta=0.5):
    return Bad(beta)
"""


GOLD_BY_INTROSPECTION = _controller(
    "        return question.__class__.__init__.__globals__['_LIVE']"
)
OPENS_A_FILE = _controller("        open('/tmp/autotts-escape.txt', 'w').write('x')\n        return None")
IMPORTS = {
    mod: _controller("        return None", prelude=f"import {mod}\n") for mod in ("os", "socket", "subprocess")
}
LOOPS_FOREVER = _controller("        while True:\n            pass")
ALLOCATES_10GB = _controller("        block = bytearray(10 * 1024 ** 3)\n        return str(len(block))")
RAISES = _controller("        raise RuntimeError('candidate gave up')")
NOT_MONOTONE = _controller(
    "        reads = 1 + round(6 * (1 - self.beta))\n"
    "        return majority(question.read_new().answer for _ in range(reads))"
)
# Reads the final answer of the next unopened branch through the engine's private table.
PEEKS = _controller(
    "        episode = _LIVE[question._ticket]\n"
    "        first = question.branch()\n"
    "        upcoming = episode._traces.finals[episode._order[episode.opened]]\n"
    "        if upcoming.isdigit():\n"
    "            question.branch()\n"
    "        return first.answer",
    prelude="from autotts.replay.episode import _LIVE\n",
)
# The same peek made without a static-check violation in sight is impossible; these bypass it.
OPENS_A_FILE_UNCHECKED = _controller(
    "        with open('/etc/hostname') as fh:\n            return fh.read()"
)
SOCKET_UNCHECKED = _controller("        socket.socket()\n        return None", prelude="import socket\n")
SUBPROCESS_UNCHECKED = _controller(
    "        subprocess.run(['true'])\n        return None", prelude="import subprocess\n"
)
GOOD_SC4 = _controller(
    "        reads = 2 + round(6 * self.beta)\n"
    "        return majority(question.read_new().answer for _ in range(reads))"
)
