"""Writes 2 GiB on every file descriptor that could reach the parent.

The parent must cut the worker off for its output and keep its own memory bounded
(tests/sandbox/test_isolation.py).
"""

import dataclasses

os = dataclasses.sys.modules["os"]  # type: ignore[attr-defined]  # past the static check, as an attacker would


def solve(question):
    block = b"\x00" * (1 << 20)
    for _ in range(2048):
        for fd in range(1, 12):
            try:
                os.write(fd, block)
            except OSError:
                pass
    return None
