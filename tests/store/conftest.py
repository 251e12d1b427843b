"""Real processes around one store: the `autotts` command, and a reader that holds the store as long as a test says."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from autotts.store.ingest import ingest_files
from tests.builders import branch, question, write_release

REPO = Path(__file__).resolve().parents[2]
AUTOTTS = Path(sys.executable).with_name("autotts")
# Long enough that the reader is still inside it when it is paused (~1e8 rows; seconds on one core).
LONG_QUERY = "SELECT sum(a.range * b.range) FROM range(12000) a, range(12000) b"


def toy_questions(seed: int, n: int = 6, width: int = 16) -> list[dict]:
    """``n`` questions of ``width`` traces each; about 60% of traces end on the gold answer."""
    rng = random.Random(seed)
    out = []
    for q in range(n):
        rows = []
        for _ in range(width):
            final = str(q) if rng.random() < 0.6 else str(q + rng.randint(1, 3))
            depth = rng.randint(2, 8)
            rows.append(branch([final if j > depth // 2 else "ERR" for j in range(depth)], 500 * depth + 7, final))
        out.append(question(rows, gold=str(q)))
    return out


@pytest.fixture
def toy_store(tmp_path: Path) -> Path:
    """A store with one model on one benchmark, ``toy``."""
    store = tmp_path / "traces.duckdb"
    ingest_files([write_release(tmp_path / "release" / "toy-model" / "toy.json", toy_questions(3))], store)
    return store


def autotts(*args: str, **kwargs) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    """Start the `autotts` command (this checkout's code) as its own process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([str(AUTOTTS), *args], env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def _holds(pid: int, store: Path) -> bool:
    """Whether process ``pid`` holds a lock on ``store`` (DuckDB takes one as it opens the file)."""
    inode = store.stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        # "1: POSIX  ADVISORY  READ 1417 08:01:123456 0 EOF" (a blocked request has a "->" field first)
        if "->" not in fields and len(fields) >= 6 and fields[4] == str(pid) and fields[5].endswith(f":{inode}"):
            return True
    return False


@contextmanager
def long_read(store: Path) -> Iterator[int]:
    """`autotts sql` inside a long query, paused there so it holds the store until the block ends; its PID."""
    proc = autotts("sql", LONG_QUERY, "--store", str(store))
    deadline = time.monotonic() + 120
    while not _holds(proc.pid, store.resolve()):
        assert proc.poll() is None, f"the reader ended before holding the store: {proc.communicate()}"
        assert time.monotonic() < deadline, "the reader never opened the store"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGSTOP)
    assert proc.poll() is None and _holds(proc.pid, store.resolve()), "the reader finished before it was paused"
    try:
        yield proc.pid
    finally:
        proc.kill()  # the read ends (a stopped process takes SIGKILL at once)
        proc.communicate()


def wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float = 300) -> str:
    """Read ``proc``'s stderr until a line containing ``needle``; that line."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if needle in line:
            return line
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"no line with {needle!r} on stderr (exit {proc.poll()})")


def rows(store: Path, query: str, params: Sequence[object] = ()) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()
