"""Waiting for the store's lock: who holds it, how long to wait, what the user is told.

DuckDB lets one process write a file and excludes every other process while it
does, readers included; read-only connections from several processes coexist.
So a writer that finds the file open elsewhere, or a reader that finds it being
written, waits: it names the holder once (the autotts command and its PID, read
from the lock DuckDB reports), polls, and gives up after the lock timeout with
:class:`StoreBusyError`. The timeout and the name this process shows are set
once per command with :func:`store_access` (the CLI's ``--lock-timeout``).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from autotts.errors import StoreBusyError
from autotts.store.engine import duckdb

__all__ = ["DEFAULT_LOCK_TIMEOUT", "Holder", "describe_process", "store_access", "wait_for_store"]

DEFAULT_LOCK_TIMEOUT = 60.0
_POLL_START, _POLL_MAX = 0.05, 1.0
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Access:
    timeout: float
    label: str


_DEFAULT_ACCESS = _Access(DEFAULT_LOCK_TIMEOUT, "autotts")
_ACCESS: ContextVar[_Access] = ContextVar("autotts_store_access")


@contextmanager
def store_access(*, timeout: float | None = None, label: str | None = None) -> Iterator[None]:
    """Within the block, wait up to ``timeout`` seconds for a busy store and call this process ``label``."""
    current = _ACCESS.get(_DEFAULT_ACCESS)
    token = _ACCESS.set(_Access(current.timeout if timeout is None else timeout, label or current.label))
    try:
        yield
    finally:
        _ACCESS.reset(token)


@dataclass(frozen=True, slots=True)
class Holder:
    """The process holding the store's lock, as DuckDB reports it."""

    pid: int
    command: str

    def __str__(self) -> str:
        return f"`{self.command}` (PID {self.pid})"


def describe_process(pid: int, fallback: str = "") -> str:
    """The command line of ``pid`` in the words a user typed: ``autotts sql``, ``stage ingest``, ``duckdb``."""
    try:
        argv = [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        argv = []
    if not argv:
        return Path(fallback).name or "another process"
    for i, arg in enumerate(argv):
        nxt = argv[i + 1] if i + 1 < len(argv) else ""
        if Path(arg).name == "autotts" and i < 2:
            return f"autotts {nxt}".strip()
        if arg == "-m" and nxt == "autotts.cli":
            return f"autotts {argv[i + 2] if i + 2 < len(argv) else ''}".strip()
        if arg == "-m" and nxt.startswith("stages."):
            return f"pipeline stage {nxt.removeprefix('stages.')}"
    shown = " ".join([Path(argv[0]).name, *argv[1:3]])
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _holder(error: duckdb.Error) -> Holder | None:
    """The lock holder named in a DuckDB error, or ``None`` if the error is not a lock conflict."""
    match = _HOLDER.search(str(error))
    if match is None:
        return None
    pid = int(match["pid"])
    return Holder(pid, describe_process(pid, match["program"]))


def wait_for_store(path: Path, connect: Callable[[], T], *, purpose: str) -> T:
    """``connect()``, retried while another process holds ``path``; :class:`StoreBusyError` after the timeout.

    ``purpose`` says what this process waits to do (``write``, ``read``), for the message.
    """
    access = _ACCESS.get(_DEFAULT_ACCESS)
    started = time.monotonic()
    poll = _POLL_START
    announced: Holder | None = None
    while True:
        try:
            return connect()
        except duckdb.Error as exc:
            holder = _holder(exc)
            if holder is None:
                raise
        waited = time.monotonic() - started
        if waited >= access.timeout:
            raise StoreBusyError(f"{path}: still in use by {holder} after {access.timeout:g}s (--lock-timeout)")
        if holder != announced:
            print(f"{access.label}: {path} is in use by {holder}; waiting up to {access.timeout:g}s to {purpose} "
                  "(--lock-timeout)", file=sys.stderr, flush=True)
            announced = holder
        time.sleep(min(poll, max(0.0, access.timeout - waited)))
        poll = min(poll * 2, _POLL_MAX)
