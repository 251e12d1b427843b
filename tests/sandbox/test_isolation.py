"""Real escape attempts from inside the worker, one per isolation property; the parent outlives them all.

The attacker (tests/candidates/escapes.py) reaches ``os`` the way a hostile candidate does (through a module
the static check allows) and reports, as its answer, how each attempt ended; a deterministic attacker
passes verification, so the answers come back graded like any other.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autotts.discover.sandbox import Group, Isolation, SandboxLimits, UntrustedRunner, WorkerFailure, isolation_problem
from autotts.evaluate.api import load_matrices
from tests import candidates

pytestmark = pytest.mark.skipif(isolation_problem() is not None, reason=f"no OS isolation: {isolation_problem()}")

HOLD_A_WORKER = Path(__file__).parent / "programs" / "hold_a_worker.py"


@pytest.fixture(scope="module")
def outcomes(toy_store: Path) -> dict[str, str]:
    source = candidates.source("escapes", PARENT=os.getpid(), STORE=str(toy_store))
    runner = UntrustedRunner(load_matrices(toy_store, ["toy-a"], ["toy"]), Isolation.BUBBLEWRAP, SandboxLimits())
    results = runner.run(source, [Group(0)], seeds=1)
    assert not isinstance(results, WorkerFailure), results
    answers = set(results[0].answers.ravel().tolist())
    assert len(answers) == 1  # every episode saw the same walls
    return dict(item.split("=") for item in answers.pop().split(";"))


@pytest.mark.parametrize(
    ("attempt", "stopped_by"),
    [
        ("proc_of_parent", "FileNotFoundError"),  # no /proc at all, and its own PID namespace
        ("any_proc", "FileNotFoundError"),
        ("store", "FileNotFoundError"),  # nothing of the host but the interpreter, numpy and the API
        ("network", "PermissionError"),  # seccomp; the network namespace has no interface either
        ("exec", "PermissionError"),
        ("fork", "PermissionError"),
        ("spawn", "PermissionError"),
        ("write_outside_tmpfs", "FileNotFoundError"),
        ("write_code", "OSError"),  # read-only bind (EROFS)
        ("write_tmpfs", "OSError"),  # file size limit 0 (EFBIG)
        ("signal_parent", "PermissionError"),
        ("pidfd_parent", "PermissionError"),
    ],
)
def test_the_escape_fails(outcomes: dict[str, str], attempt: str, stopped_by: str) -> None:
    assert outcomes[attempt] == stopped_by


def test_nothing_was_planted_and_the_parent_lives(outcomes: dict[str, str], toy_store: Path) -> None:
    assert not Path(str(toy_store) + ".planted").exists()
    os.kill(os.getpid(), 0)


def test_floods_are_cut_off_and_the_parent_s_memory_stays_bounded(toy_store: Path) -> None:
    runner = UntrustedRunner(load_matrices(toy_store, ["toy-a"], ["toy"]), Isolation.BUBBLEWRAP, SandboxLimits())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome = runner.run(candidates.source("flood"), [Group(0)], seeds=1)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert isinstance(outcome, WorkerFailure) and outcome.kind == "output"
    assert grown_mb < 200


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            todo += [int(c) for c in children if int(c) not in found]
            found.update(int(c) for c in children)
    return found


def test_killing_the_parent_leaves_no_worker_behind() -> None:
    holder = subprocess.Popen(
        [sys.executable, str(HOLD_A_WORKER), str(candidates.path("loops_forever"))],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert holder.stdout is not None
    bwrap = int(holder.stdout.readline())
    deadline = time.monotonic() + 30
    while len(_descendants(bwrap)) < 2 and time.monotonic() < deadline:  # the namespace's init and the worker
        time.sleep(0.05)
    sandboxed = {bwrap, *_descendants(bwrap)}
    assert len(sandboxed) >= 3
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{p}").exists() for p in sandboxed) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [p for p in sandboxed if Path(f"/proc/{p}").exists() and "Z" not in _state(p)]
    assert alive == []


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][:1]
    except (FileNotFoundError, IndexError):
        return "Z"


def test_a_strict_worker_writing_far_ahead_of_its_answers_is_cut_off() -> None:
    from autotts.discover.sandbox import protocol
    from autotts.discover.sandbox.process import Worker, WorkerError
    from autotts.discover.sandbox.strict import serve_episode
    from autotts.replay.episode import Episode, QuestionTraces

    traces = QuestionTraces((("a",) * 80,) * 8, ("f",) * 8, (50_000,) * 8, 500)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with Worker(Isolation.BUBBLEWRAP, SandboxLimits(wall_seconds=60)) as worker:
        worker.send(
            protocol.JOB,
            protocol.encode_json(
                {
                    "mode": "strict",
                    "fresh": True,
                    "groups": [{"model": 0, "params": {}}],
                    "output_limit": 100,
                    "answer_limit": 100,
                }
            ),
        )
        worker.send(protocol.SOURCE, candidates.source("runs_ahead").encode())
        with pytest.raises(WorkerError) as failed:
            serve_episode(worker, 0, 8, Episode(traces, tuple(range(8))), 100)
    assert failed.value.failure.kind == "output"
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 200
