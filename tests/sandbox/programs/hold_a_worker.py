"""Starts a sandboxed worker on an episode of the candidate file named by argv[1], prints the worker's PID,
then waits to be killed.

tests/sandbox/test_isolation.py kills this process with SIGKILL (no clean-up runs) and checks that the
worker and everything in its namespace die with it.
"""

import sys
import time
from pathlib import Path

from autotts.discover.sandbox import protocol
from autotts.discover.sandbox.isolation import Isolation
from autotts.discover.sandbox.process import SandboxLimits, Worker

worker = Worker(Isolation.BUBBLEWRAP, SandboxLimits())
worker.send(
    protocol.JOB,
    protocol.encode_json(
        {"mode": "strict", "groups": [{"model": 0, "params": {}}], "output_limit": 100, "answer_limit": 100}
    ),
)
worker.send(protocol.SOURCE, Path(sys.argv[1]).read_bytes())
worker.send(protocol.EPISODE, protocol.encode_json({"group": 0, "pool": 8}))
print(worker._proc.pid, flush=True)
time.sleep(600)
