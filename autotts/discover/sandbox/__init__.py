"""Running untrusted candidate code: static check, limited worker process, peeking audit."""

from autotts.discover.sandbox.runner import SandboxLimits, WorkerFailure, run_worker
from autotts.discover.sandbox.static_check import StaticViolation, check_source

__all__ = ["SandboxLimits", "StaticViolation", "WorkerFailure", "check_source", "run_worker"]
