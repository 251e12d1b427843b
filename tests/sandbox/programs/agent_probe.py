"""What a jailed proposer agent tries in its workspace; each printed line says what it could do.

Run by tests/sandbox/test_agent_jail.py as ``python agent.py NAMED OTHER`` with STORE in its environment:
it should read the file its command line names, write its workspace's candidate, and read neither the
store (it is told where it is, not given it), another candidate's result, nor any other process.
"""

import os
import sys
from pathlib import Path


def can_read(path):
    try:
        Path(path).read_bytes()
        return True
    except OSError:
        return False


named, other = sys.argv[1:]
store = os.environ["STORE"]
Path("candidate.py").write_text("edited")
print("named", can_read(named))
print("store", can_read(store))
print("other-candidate", can_read(other))
print("parent-visible", any(can_read(f"/proc/{p}/cmdline") for p in range(2, 64) if p != os.getpid()))
