"""Talking to one worker process: frames in and out under a deadline, caps on every byte read back.

The parent never blocks on a worker: one loop waits on the worker's stdin,
stdout and stderr together until the frame it wants is complete or the
wall-clock deadline passes. Stdout carries frames, cut by a
:class:`~autotts.discover.sandbox.protocol.FrameReader` that refuses any
payload over its kind's cap before buffering it (only logs may be large); stderr keeps only its tail and
counts the rest. Past either cap, or past the deadline, the worker's whole
session is killed. So the parent's memory stays bounded whatever the worker
writes, and the worker is gone whatever happens here (it also dies with the
parent: see :mod:`autotts.discover.sandbox.isolation`).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass, replace
from types import TracebackType
from typing import NoReturn

from autotts.discover.sandbox import protocol
from autotts.discover.sandbox.isolation import Isolation, clock_environment, worker_command
from autotts.discover.sandbox.protocol import FrameReader, ProtocolError
from autotts.terminal import shown

__all__ = ["SandboxLimits", "Worker", "WorkerError", "WorkerFailure"]

_STDERR_TAIL = 4096
_CHUNK = 1 << 16
# Frames read but not yet asked for (a worker that writes without waiting for answers fills this).
_MAX_QUEUED_FRAMES = 10_000


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    """Per-worker limits for one candidate evaluation."""

    cpu_seconds: int = 120
    wall_seconds: float = 300.0
    memory_mb: int = 2048
    output_bytes: int = 64 * 1024 * 1024  # the largest frame the parent accepts
    stderr_bytes: int = 1024 * 1024  # what a worker may write to stderr in all
    candidate_output_chars: int = 100_000  # what the candidate may print (discarded)
    answer_bytes: int = 4096  # the longest answer a controller may return

    def scaled(self, factor: float) -> SandboxLimits:
        """These limits with the time allowances multiplied by ``factor`` (for more episodes)."""
        return replace(self, cpu_seconds=round(self.cpu_seconds * factor), wall_seconds=self.wall_seconds * factor)


@dataclass(frozen=True, slots=True)
class WorkerFailure:
    """Why a worker produced no result: kind (exception, timeout, memory, output, protocol, ...), message, excerpt."""

    kind: str
    message: str
    excerpt: str = ""


class WorkerError(Exception):
    """The worker failed or misbehaved; ``failure`` says how."""

    def __init__(self, failure: WorkerFailure) -> None:
        super().__init__(f"{failure.kind}: {failure.message}")
        self.failure = failure


_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **clock_environment()}


class Worker:
    """A started worker; use as a context manager so that it is killed on the way out."""

    def __init__(self, isolation: Isolation, limits: SandboxLimits) -> None:
        self.limits = limits
        argv, cwd = worker_command(isolation, _ENV)
        parent = os.getpid() if isolation is Isolation.UNSAFE else 0
        self._proc = subprocess.Popen(
            [*argv, str(limits.cpu_seconds), str(limits.memory_mb), str(parent)], cwd=cwd, env=_ENV,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )
        self._deadline = time.monotonic() + limits.wall_seconds
        self._frames = FrameReader(protocol.worker_frame_limits(limits.output_bytes, limits.answer_bytes))
        self._ready: list[tuple[bytes, bytes]] = []
        self._outgoing = bytearray()
        self._stderr = bytearray()
        self._stderr_total = 0
        assert self._proc.stdin and self._proc.stdout and self._proc.stderr
        self._stdin, self._stdout, self._stderr_fd = (s.fileno() for s in (self._proc.stdin, self._proc.stdout,
                                                                             self._proc.stderr))
        for fd in (self._stdin, self._stdout, self._stderr_fd):
            os.set_blocking(fd, False)
        self._poll = select.poll()
        self._poll.register(self._stdout, select.POLLIN)
        self._poll.register(self._stderr_fd, select.POLLIN)
        self._handlers = {self._stdout: self._read_stdout, self._stderr_fd: self._read_stderr,
                          self._stdin: self._write_some}
        self._stdin_open = True
        self._writing = False

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.kill()

    @property
    def stderr_tail(self) -> str:
        return self._stderr.decode(errors="replace")

    def send(self, kind: bytes, payload: bytes = b"") -> None:
        """Write a frame, waiting (and reading meanwhile) while the pipe is full, until the worker has
        taken all of it or has gone."""
        self._outgoing += protocol.frame(kind, payload)
        self._write_some()
        if self._outgoing and self._stdin_open:
            self._poll.register(self._stdin, select.POLLOUT)
            self._writing = True
            while self._outgoing and self._stdin_open:
                self._pump()

    def receive(self, *kinds: bytes) -> tuple[bytes, bytes]:
        """The next frame, which must be one of ``kinds``; a ``FAIL`` frame raises the worker's own failure."""
        while not self._ready:
            self._pump()
        kind, payload = self._ready.pop(0)
        if kind == protocol.FAIL:
            raise WorkerError(_reported_failure(payload))
        if kind not in kinds:
            self.fail("protocol", f"expected a {' or '.join(map(repr, kinds))} frame, got {kind!r}")
        return kind, payload

    def kill(self) -> None:
        """Kill the worker's whole session and reap it; safe to call twice."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def _pump(self) -> None:
        """Wait for one round of I/O; fail on the deadline, a cap, garbage, or the worker's end."""
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            self.fail("timeout", f"wall-time limit of {self.limits.wall_seconds:g}s exceeded")
        for fd, _ in self._poll.poll(min(remaining, 1.0) * 1000):
            self._handlers[fd]()

    def _write_some(self) -> None:
        try:
            written = os.write(self._stdin, self._outgoing[:_CHUNK])
        except BlockingIOError:
            written = 0
        except BrokenPipeError:
            written, self._stdin_open = len(self._outgoing), False
        del self._outgoing[:written]
        if (not self._outgoing or not self._stdin_open) and self._writing:
            self._poll.unregister(self._stdin)
            self._writing = False

    def _read_stderr(self) -> None:
        data = os.read(self._stderr_fd, _CHUNK)
        if not data:
            self._poll.unregister(self._stderr_fd)
            return
        self._stderr_total += len(data)
        self._stderr += data
        del self._stderr[:-_STDERR_TAIL]
        if self._stderr_total > self.limits.stderr_bytes:
            self.fail("output", f"wrote more than {self.limits.stderr_bytes} bytes to stderr")

    def _read_stdout(self) -> None:
        data = os.read(self._stdout, _CHUNK)
        if not data:
            self.fail(*self._ending())
        try:
            self._ready += self._frames.feed(data)
        except ProtocolError as exc:
            self.fail("output", f"worker output refused: {exc}")
        if len(self._ready) > _MAX_QUEUED_FRAMES or sum(len(p) for _, p in self._ready) > self.limits.output_bytes:
            self.fail("output", "the worker sent frames far ahead of the parent's requests")

    def _ending(self) -> tuple[str, str]:
        """Why the worker's output ended without the frame we wait for."""
        try:
            code = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "protocol", "the worker closed its output and kept running"
        # a killed child shows as -N, or as 128 + N through bubblewrap
        sig = -code if code < 0 else code - 128 if code > 128 else 0
        if sig == signal.SIGXCPU:
            return "timeout", f"CPU-time limit of {self.limits.cpu_seconds}s exceeded"
        if sig == signal.SIGKILL:
            return "killed", "killed by SIGKILL (the CPU-time hard limit or the system's memory killer)"
        if sig == signal.SIGSYS:
            return "sandbox", "killed for a system call of a foreign architecture's ABI"
        return "crash", f"the worker exited with status {code} before reporting"

    def fail(self, kind: str, message: str) -> NoReturn:
        """Kill the worker and raise :class:`WorkerError` with what is known."""
        self.kill()
        raise WorkerError(WorkerFailure(kind, message, shown(self.stderr_tail[-1500:], "\n")))


def _reported_failure(payload: bytes) -> WorkerFailure:
    """A failure the worker reported about its candidate (its text is the candidate's, so only shown)."""
    try:
        data = protocol.decode_json(payload)
        kind, message, excerpt = str(data["kind"]), str(data["message"]), str(data.get("excerpt", ""))
    except (ProtocolError, KeyError, TypeError):
        return WorkerFailure("protocol", "the worker reported a failure that cannot be read")
    return WorkerFailure(shown(kind[:40]), shown(message[:600]), shown(excerpt[-2000:], "\n"))

