"""In strict mode, writes ``continue(0)`` actions far ahead of the answers it never reads.

The parent serving the episode must cut it off for its output rather than buffer without bound
(tests/sandbox/test_isolation.py).
"""

import dataclasses

modules = dataclasses.sys.modules  # type: ignore[attr-defined]  # past the static check, as an attacker would
os = modules["os"]
frame = modules["autotts.discover.sandbox.protocol"].frame


def solve(question):
    act = frame(b"ACT ", (1).to_bytes(4, "little"))  # continue(0), again and again, never reading an answer
    question.branch()
    for fd in range(3, 12):
        try:
            while True:
                os.write(fd, act * 4096)
        except OSError:
            pass
    return None
