"""The sandboxed child process: runs one candidate on gold-free traces, prints JSON.

One process per candidate: a cheap first pass (a few episodes on the first
model, plus the peeking audit) and, if that passes, the sweep over every
beta on every search model.

The parent (:mod:`autotts.discover.sandbox.runner`) starts this module with
resource limits already set, sends a job as JSON on stdin and reads one JSON
object back from stdout. Everything the candidate may legitimately use is
imported and the traces are loaded *before* an audit hook is installed that
refuses file writes, reads outside the Python installation, sockets,
subprocesses and interpreter introspection; from then on the candidate's
module code, controller construction and episodes all run under the hook.
Gold answers are never sent here: grading happens in the parent.
"""

from __future__ import annotations

import collections  # noqa: F401  (pre-imported for candidates, before the audit hook)
import dataclasses  # noqa: F401
import functools  # noqa: F401
import heapq  # noqa: F401
import io
import itertools  # noqa: F401
import json
import math  # noqa: F401
import os
import pickle
import statistics  # noqa: F401
import sys
import traceback
import typing  # noqa: F401
from pathlib import Path
from typing import Any

import numpy  # noqa: F401

from autotts.controllers.loading import load_controller_file
from autotts.discover.sandbox.audit import peek_audit
from autotts.evaluate.runner import replay_controller
from autotts.replay.episode import TraceEvent

_REFUSED_PREFIXES = ("socket.", "subprocess.", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.kill",
                     "os.system", "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.truncate",
                     "os.putenv", "os.unsetenv", "os.startfile", "pty.", "ctypes.", "shutil.", "sys._getframe",
                     "sys._current_frames", "gc.", "urllib.", "http.", "ftplib.", "smtplib.", "webbrowser.",
                     "os.listdir", "os.scandir", "glob.", "sqlite3.")


class _Refused(PermissionError):
    """Raised by the audit hook into the candidate's code."""


class _BoundedText(io.TextIOBase):
    """Stands in for stdout/stderr: keeps at most ``limit`` characters, notes overflow."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.overflowed = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.size += len(text)
        self.overflowed = self.overflowed or self.size > self.limit
        return len(text)


def _install_audit_hook(readable: tuple[str, ...], violations: list[str]) -> None:
    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND))
            inside = isinstance(path, str) and os.path.realpath(path).startswith(readable)
            if writing or not inside:
                violations.append(f"file access refused: open({path!r}, {mode!r})")
                raise _Refused(f"sandbox: file access refused: {path!r}")
        elif event.startswith(_REFUSED_PREFIXES):
            violations.append(f"{event} refused")
            raise _Refused(f"sandbox: {event} refused")

    sys.addaudithook(hook)


def _summaries(traces: dict[tuple[int, int], list[TraceEvent]], answers: Any) -> list[dict[str, Any]]:
    """Per traced episode: branches opened/pruned, depth used, tokens, why it stopped."""
    out = []
    for (seed, q), events in sorted(traces.items()):
        opened = sum(e.action in ("branch", "read") for e in events)
        pruned = {e.branch for e in events if e.action == "prune"}
        finished = {e.branch for e in events if e.finished}
        live = opened - len(pruned | finished)
        out.append({
            "seed": seed, "question": q, "opened": opened, "pruned": len(pruned),
            "depth": max((e.depth for e in events), default=0), "tokens": sum(e.cost for e in events),
            "stop": f"early stop, {live} live" if live else "no live branch left", "answer": answers[seed, q],
        })
    return out


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """The cheap first pass (with the peeking audit), then the sweep on every model; prints the JSON result."""
    path = Path(job["source_path"])
    models = {}
    for entry in job["models"]:
        with open(entry["traces_path"], "rb") as fh:
            models[entry["model"]] = pickle.load(fh)
    source = path.resolve()
    readable = (sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parents[2]), str(source),
                str(source.parent / "__pycache__"))
    sys.dont_write_bytecode = True
    violations: list[str] = []
    sink = _BoundedText(int(job["output_limit"]))
    real_stdout = sys.stdout
    sys.stdout = sys.stderr = sink  # type: ignore[assignment]
    _install_audit_hook(readable, violations)
    try:
        result = _evaluate(path, models, job)
    except MemoryError:
        result = {"ok": False, "kind": "memory", "message": "memory limit exceeded", "excerpt": _excerpt()}
    except BaseException as exc:  # the candidate's failure is the result
        result = {"ok": False, "kind": "exception", "message": f"{type(exc).__name__}: {exc}"[:500],
                  "excerpt": _excerpt()}
    if violations:
        result = {"ok": False, "kind": "audit", "message": violations[0], "excerpt": "\n".join(violations[:5])}
    elif sink.overflowed:
        result = {"ok": False, "kind": "output", "message": f"printed more than {sink.limit} characters",
                  "excerpt": ""}
    real_stdout.write(json.dumps(result, default=str))
    real_stdout.flush()
    return result


def _evaluate(path: Path, models: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    def build(beta: float) -> Any:
        return load_controller_file(path, {"beta": beta})

    first = job.get("first_pass")
    if first:
        questions = next(iter(models.values()))
        for beta in first["betas"]:
            replay_controller(questions, build(beta), seeds=1, trace_seeds=0)
        finding = peek_audit(build, questions, betas=first["betas"], seeds=range(first["audit_seeds"]))
        if finding:
            return {"ok": True, "points": [], "peek": str(finding)}
    points = []
    for model, questions in models.items():
        for beta in job["betas"]:
            outcome = replay_controller(questions, build(beta), seeds=job["seeds"], trace_seeds=job["trace_seeds"])
            points.append({
                "model": model, "beta": beta, "answers": outcome.answers.tolist(), "tokens": outcome.tokens.tolist(),
                "opened": outcome.branches_opened.tolist(), "traces": _summaries(outcome.traces, outcome.answers),
            })
    return {"ok": True, "points": points, "peek": None}


def _excerpt(limit: int = 1500) -> str:
    """The traceback's last frames, the candidate's own code included."""
    return "".join(traceback.format_exc(limit=-6))[-limit:]


def main() -> None:
    run_job(json.loads(sys.stdin.read()))


if __name__ == "__main__":
    main()
