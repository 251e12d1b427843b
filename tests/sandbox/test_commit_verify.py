"""Commit, then verify, end to end: honest candidates pass with the in-process figures; peekers, chance and
tampering are rejected with their true reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autotts.controllers.loading import load_controller_source
from autotts.discover.proposers.template import CMC_GENOME, render
from autotts.discover.sandbox import (
    SEARCH,
    Group,
    Isolation,
    SandboxLimits,
    UntrustedRunner,
    WorkerFailure,
    is_template_source,
    isolation_problem,
)
from autotts.evaluate.api import load_matrices
from autotts.evaluate.runner import run_episodes
from autotts.replay.matrix import ReplayMatrix

pytestmark = pytest.mark.skipif(isolation_problem() is not None, reason=f"no OS isolation: {isolation_problem()}")

# Reaches the engine's private table the way a hostile candidate would, past the static check.
_REACH = '''
import dataclasses
from autotts.controllers.voting import majority

modules = dataclasses.sys.modules
get = modules["builtins"].getattr
LIVE = get(modules["autotts.replay.episode"], "_LI" + "VE")


def next_hidden_final(question):
    """The final answer of the branch the next read would open: unrevealed data."""
    engine = LIVE[get(question, "_tic" + "ket")]
    return get(engine, "_tra" + "ces").finals[get(engine, "_or" + "der")[engine.opened]]
'''

# Honest reads of three branches, except on about one episode in PERIOD where the hidden next answer
# says a fourth read will not change the vote: then it stops early and saves tokens. In strict mode the
# peek fails (the engine is remote) and it reads honestly, so it diverges exactly where it peeked.
PEEKS_SOMETIMES = _REACH + '''
PERIOD = {period}


def solve(question):
    answers = [question.read_new().answer for _ in range(3)]
    try:
        hidden = next_hidden_final(question)
    except BaseException:
        hidden = None
    if hidden is not None and hidden == majority(answers) and sum(map(ord, hidden)) % PERIOD == 0:
        return hidden
    answers.append(question.read_new().answer)
    return majority(answers)
'''

# Reads a number of branches drawn from the clock: differs run to run.
BY_CHANCE = '''
import dataclasses

from autotts.controllers.voting import majority

clock = dataclasses.sys.modules["time"].perf_counter_ns


def solve(question):
    reads = 1 + clock() // 1000 % 5
    return majority(question.read_new().answer for _ in range(reads))
'''

# Reads a number of branches drawn from the day it is: the same all day long on the real clock, so a
# commitment and its verification would agree unless the worker's clock is its own.
BY_THE_DAY = '''
import numpy as np

from autotts.controllers.voting import majority

READS = 1 + int(np.datetime64("now", "D").astype("int64")) % 5


def solve(question):
    return majority(question.read_new().answer for _ in range(READS))
'''

# Reads one branch more in every episode after the first: its actions depend on the episodes before.
STATEFUL = '''
from autotts.controllers.voting import majority

seen = []


def solve(question):
    seen.append(1)
    return majority(question.read_new().answer for _ in range(min(len(seen), 6)))
'''

# Patches its own engine so that reads cost one token and come in stored order: nothing it does to its
# engine reaches the parent's accounting.
TAMPERS = '''
import dataclasses
from autotts.controllers.voting import majority

modules = dataclasses.sys.modules
Episode = modules["autotts.replay.episode"].Episode
original = Episode.read_whole


def cheap(self):
    k, answer = original(self)
    self.total = self.opened
    return k, answer


Episode.read_whole = cheap


def solve(question):
    return majority(question.read_new().answer for _ in range(3))
'''

HONEST = '''
from autotts.controllers.voting import majority


def solve(question):
    return majority(question.read_new().answer for _ in range(3))
'''


@pytest.fixture(scope="module")
def matrices(toy_store: Path) -> list[ReplayMatrix]:
    return load_matrices(toy_store, benchmarks=["toy"])


def _run(matrices: list[ReplayMatrix], source: str, seeds: int, params: tuple = ({},)):
    runner = UntrustedRunner(matrices, Isolation.BUBBLEWRAP, SandboxLimits(cpu_seconds=60, wall_seconds=120))
    groups = [Group(m, p) for m in range(len(matrices)) for p in params]
    return runner.run(source, groups, seeds, level=SEARCH)


def test_an_honest_controller_scores_the_same_sandboxed_and_in_process(matrices: list[ReplayMatrix]) -> None:
    source = render(CMC_GENOME, "CMC, but run as if a stranger wrote it.") + "\n"
    assert not is_template_source(source)
    betas = (0.0, 1.0)
    sandboxed = _run(matrices, source, seeds=2, params=tuple({"beta": b} for b in betas))
    assert not isinstance(sandboxed, WorkerFailure), sandboxed
    in_process = [run_episodes(m, load_controller_source(source, "c.py", {"beta": b}), seeds=2, trace_seeds=1)
                  for m in matrices for b in betas]
    for ours, theirs in zip(sandboxed, in_process, strict=True):
        for name in ("answers", "correct", "tokens", "sequential_tokens", "branches_opened"):
            assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name
        assert ours.accuracy == theirs.accuracy and ours.avg_tokens == theirs.avg_tokens
        assert ours.traces == theirs.traces


def test_a_candidate_that_peeks_on_some_episodes_is_caught_as_peeking(
    matrices: list[ReplayMatrix],
) -> None:
    outcome = _run(matrices, PEEKS_SOMETIMES.format(period=3), seeds=60)
    assert isinstance(outcome, WorkerFailure)
    assert outcome.kind == "peeked", outcome
    assert "strict mode" in outcome.message and "seed" in outcome.message


@pytest.mark.parametrize("source", [BY_CHANCE, BY_THE_DAY, STATEFUL],
                         ids=["chance", "the day's date", "state across episodes"])
def test_a_candidate_that_does_not_repeat_itself_is_rejected_as_nondeterministic(
    matrices: list[ReplayMatrix], source: str
) -> None:
    outcome = _run(matrices, source, seeds=3)
    assert isinstance(outcome, WorkerFailure)
    assert outcome.kind == "nondeterministic", outcome


def test_patching_its_own_engine_changes_nothing_that_is_recorded(matrices: list[ReplayMatrix]) -> None:
    tampered, honest = _run(matrices, TAMPERS, seeds=2), _run(matrices, HONEST, seeds=2)
    assert not isinstance(tampered, WorkerFailure) and not isinstance(honest, WorkerFailure)
    for a, b in zip(tampered, honest, strict=True):
        assert np.array_equal(a.tokens, b.tokens) and a.tokens.min() > 1000


# Prunes one branch over and over: legal and free, but without end.
ENDLESS_FREE_ACTIONS = '''
def solve(question):
    first = question.branch()
    while True:
        try:
            question.prune(first.branch)
        except BaseException:
            pass
'''


# The same, with the worker's own check of the bound switched off first: the parent refuses the log.
UNCHECKED_FREE_ACTIONS = '''
import dataclasses

modules = dataclasses.sys.modules
modules["builtins"].setattr(modules["_" + "_main_" + "_"], "_check" + "_actions", lambda taken, bound: None)


def solve(question):
    first = question.branch()
    for _ in range(50_000):
        question.prune(first.branch)
    return first.answer
'''


@pytest.mark.parametrize(("source", "said"), [(ENDLESS_FREE_ACTIONS, "in one episode, the most its branches allow"),
                                             (UNCHECKED_FREE_ACTIONS, "question 0: 50001 actions, more than the")],
                         ids=["the worker stops it", "the parent refuses it"])
def test_an_episode_of_endless_free_actions_is_refused(matrices: list[ReplayMatrix], source: str, said: str) -> None:
    outcome = _run(matrices, source, seeds=1)
    assert isinstance(outcome, WorkerFailure) and outcome.kind == "actions", outcome
    assert said in outcome.message, outcome.message
