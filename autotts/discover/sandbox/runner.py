"""Starting the sandbox worker under limits and reading back what it reports.

The child gets its own session (so a breach kills its whole process group),
CPU-time, address-space and file-size limits set before it executes anything,
a wall-clock timeout enforced here, and a cap on the bytes read back.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = ["SandboxLimits", "WorkerFailure", "run_worker"]


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    """Per-process limits for one candidate evaluation."""

    cpu_seconds: int = 120
    wall_seconds: float = 300.0
    memory_mb: int = 2048
    output_bytes: int = 64 * 1024 * 1024
    candidate_output_chars: int = 100_000

    def scaled(self, factor: float) -> SandboxLimits:
        """These limits with the time allowances multiplied by ``factor`` (for more seeds)."""
        return replace(self, cpu_seconds=round(self.cpu_seconds * factor), wall_seconds=self.wall_seconds * factor)


@dataclass(frozen=True, slots=True)
class WorkerFailure:
    """Why a worker produced no result: kind (exception, timeout, memory, audit, ...), message, excerpt."""

    kind: str
    message: str
    excerpt: str = ""


def run_worker(job: dict[str, Any], limits: SandboxLimits) -> dict[str, Any] | WorkerFailure:
    """Run one job in a fresh limited process; its JSON result, or why there is none."""
    job = {**job, "output_limit": limits.candidate_output_chars}
    env = {"PATH": os.environ.get("PATH", ""), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-I", "-m", "autotts.discover.sandbox.worker"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        cwd=str(Path(job["source_path"]).parent), start_new_session=True, preexec_fn=_limiter(limits),
    )
    try:
        out, err = proc.communicate(json.dumps(job).encode(), timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return WorkerFailure("timeout", f"wall-time limit of {limits.wall_seconds:g}s exceeded")
    finally:
        _kill_group(proc)
    tail = err.decode(errors="replace")[-1500:]
    if proc.returncode == -signal.SIGXCPU:
        return WorkerFailure("timeout", f"CPU-time limit of {limits.cpu_seconds}s exceeded", tail)
    if len(out) > limits.output_bytes:
        return WorkerFailure("output", f"worker output over {limits.output_bytes} bytes")
    try:
        result = json.loads(out)
    except ValueError:
        memory = "MemoryError" in tail or proc.returncode == -signal.SIGKILL
        kind = "memory" if memory else "crash"
        return WorkerFailure(kind, f"worker exited with status {proc.returncode} and no result", tail)
    if not result.get("ok"):
        return WorkerFailure(str(result.get("kind")), str(result.get("message")), str(result.get("excerpt", "")))
    return result


def _limiter(limits: SandboxLimits):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
