"""Driving attacks through the real command lines, and the evidence an attack leaves when it works.

An attack proves it got through by what a test can see from outside: a file in the canary folder
(which holds the store, so any candidate that finds the store finds it too) changed or appeared, a
correct answer on a *trap* question (its gold answer is in no trace, so only reading gold gets it
right), impossible token counts, or a dead or bloated parent process.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from autotts.store.ingest import ingest_files
from tests.builders import branch, question, write_release

REPO = Path(__file__).resolve().parents[2]
# The checkout under attack (its autotts and stages): this one, or another named by REDTEAM_TARGET.
TARGET = Path(os.environ.get("REDTEAM_TARGET", REPO))
ATTACKS = Path(__file__).parent / "attacks"
MODEL = "m1"
SEARCH, HELDOUT = "search", "held"
PROBE_FREQ = 500
BRANCHES = 8
TRAPS = (0, 1, 2)  # questions whose gold answer appears in no probe and no final answer
QUESTIONS = 6
TRACE_TABLES = ("sources", "questions", "branches", "probes")


def gold(q: int) -> str:
    return f"{9000 + q}" if q in TRAPS else str(q)


def branch_tokens(q: int, b: int, probes: int) -> int:
    """Unique per branch, and never a multiple of the probe size: a branch is known by its length."""
    return PROBE_FREQ * probes + 37 * (q * BRANCHES + b) + 11


def _questions(offset: int) -> list[dict[str, Any]]:
    out = []
    for q in range(QUESTIONS):
        rows = []
        for b in range(BRANCHES):
            final = str(q) if q not in TRAPS and b % 3 != 2 else str(100 + (q + b) % 3)
            probes = 2 + (q + b + offset) % 4
            rows.append(branch(["ERR"] + [final] * (probes - 1), branch_tokens(q, b, probes), final))
        out.append(question(rows, gold=gold(q), text=f"question {q}", probe_freq=PROBE_FREQ))
    return out


def build_vault(folder: Path) -> Path:
    """The canary folder: the store, a file to overwrite, a stand-in site-packages; the store's path."""
    folder.mkdir(parents=True)
    files = [write_release(folder / "release" / MODEL / f"{bench}.json", _questions(i))
             for i, bench in enumerate((SEARCH, HELDOUT))]
    store = folder / "traces.duckdb"
    ingest_files(files, store)
    (folder / "victim.txt").write_text("the user's own file\n")
    (folder / "site-packages").mkdir()
    (folder / "site-packages" / "README").write_text("stands for a site-packages folder: a new .pth here runs code\n")
    return store


@dataclass(frozen=True)
class Snapshot:
    files: dict[str, str]
    traces: str

    def changes(self, other: Snapshot) -> list[str]:
        keys = sorted(set(self.files) | set(other.files))
        out = [f"{k}: {self.files.get(k)} -> {other.files.get(k)}"
               for k in keys if self.files.get(k) != other.files.get(k)]
        return out + (["the store's traces changed"] if self.traces != other.traces else [])


def snapshot(vault: Path, store: Path) -> Snapshot:
    """Every entry of the canary folder (links as links) but the store, and a digest of the store's traces."""
    files = {}
    for root, dirs, names in os.walk(vault):
        for name in dirs + names:
            path = Path(root) / name
            rel = str(path.relative_to(vault))
            if rel.startswith(store.name):  # the store and its WAL legitimately change when runs are recorded
                continue
            if path.is_symlink():
                files[rel] = f"link -> {os.readlink(path)}"
            elif path.is_file():
                files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                files[rel] = "dir"
    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TRACE_TABLES]
    finally:
        con.close()
    return Snapshot(files, hashlib.sha256(repr(rows).encode()).hexdigest())


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float


def run_cli(*args: str, timeout: float = 600) -> Ran:
    """``autotts ARGS`` in a fresh process, as a user runs it; its peak resident memory sampled from /proc."""
    env = {**os.environ, "PYTHONPATH": str(TARGET)}
    return _run([sys.executable, "-m", "autotts", *args], env, timeout)


def run_stage(module: str, *args: str, timeout: float = 600) -> Ran:
    env = {**os.environ, "PYTHONPATH": str(TARGET)}
    return _run([sys.executable, "-m", module, *args], env, timeout)


def _run(command: list[str], env: dict[str, str], timeout: float) -> Ran:
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=TARGET,
                            start_new_session=True)
    peak = [0.0]
    watcher = threading.Thread(target=_watch_memory, args=(proc, peak), daemon=True)
    watcher.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
    watcher.join()
    return Ran(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"), peak[0])


def _watch_memory(proc: subprocess.Popen[bytes], peak: list[float]) -> None:
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak[0] = max(peak[0], int(line.split()[1]) / 1024)
        except (OSError, ValueError):
            return
        time.sleep(0.05)


def discover_attacks(store: Path, out: Path, attacks: list[str], *extra: str, timeout: float = 600) -> Ran:
    """One ``autotts discover`` round whose command proposer hands in ``attacks`` (file names), in order."""
    files = " ".join(str(ATTACKS / a) for a in attacks)
    feeder = f"{sys.executable} {Path(__file__).parent / 'feed.py'} {{workspace}} {files}"
    return run_cli(
        "discover", "--store", str(store), "--search-benchmark", SEARCH, "--rounds", "1",
        "--candidates", str(len(attacks)), "--proposer", "command", "--proposer-param", f"command={feeder}",
        "--betas", "0,1", "--search-seeds", "1", "--seeds", "2", "--finalists", "1", "--jobs", "2",
        "--no-progress", "--out", str(out), *extra, timeout=timeout,
    )


def results(out: Path, attacks: list[str]) -> dict[str, dict[str, Any]]:
    """Each attack's recorded result (``result.json``), by attack file name."""
    found = {}
    for i, name in enumerate(attacks):
        path = out / "candidates" / f"r00c{i:02d}" / "result.json"
        found[name] = json.loads(path.read_text()) if path.exists() and not path.is_symlink() else {}
    return found


def trap_hits(record: dict[str, Any]) -> list[str]:
    """The trap questions a recorded candidate answered right (only gold answers can be)."""
    return [f"{p['model']} beta={p['beta']} q{q}" for p in record.get("points", [])
            for q in TRAPS if p["q_correct"][q] > 0]
