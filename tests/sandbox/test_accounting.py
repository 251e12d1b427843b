"""Trusted accounting: the parent's replay of action logs charges exactly what the engine charges,
and refuses the first action the engine would have refused."""

from __future__ import annotations

import random
from array import array
from pathlib import Path

import numpy as np
import pytest

from autotts.discover.sandbox import protocol
from autotts.discover.sandbox.accounting import IllegalAction, account, apply_action
from autotts.evaluate.api import load_matrices
from autotts.evaluate.runner import replay_arrays
from autotts.evaluate.seeds import branch_order
from autotts.replay.episode import Episode
from autotts.replay.matrix import ReplayMatrix

SEEDS = 3


@pytest.fixture(scope="module")
def matrix(toy_store: Path) -> ReplayMatrix:
    return load_matrices(toy_store, ["toy-a"], ["toy"])[0]


def _random_episode(rng: random.Random, engine: Episode) -> list[int]:
    """Random actions, legal or not, on ``engine``; the codes of those it accepted."""
    log = []
    for _ in range(rng.randint(0, 60)):
        k = rng.randint(-1, engine.opened + 1)
        code = rng.choice([protocol.BRANCH, protocol.READ, k << 2 | protocol.CONTINUE, k << 2 | protocol.PRUNE])
        try:
            apply_action(engine, code)
        except ValueError:
            continue
        log.append(code)
    return log


def _logs(matrix: ReplayMatrix, rng: random.Random) -> tuple[np.ndarray, protocol.EpisodeLogs, list[Episode]]:
    episodes = np.array([(s, q) for s in range(SEEDS) for q in range(matrix.n_questions)], dtype=np.int64)
    engines, lengths, codes, answers = [], array("i"), array("i"), []
    for s, q in episodes.tolist():
        engine = Episode(matrix.traces[q], branch_order(s, len(matrix.traces[q].finals)))
        log = _random_episode(rng, engine)
        engines.append(engine)
        lengths.append(len(log))
        codes.extend(log)
        answers.append(rng.choice([None, *matrix.vocab[q]]))
    payload = protocol.encode_logs(lengths, codes, answers)
    return episodes, protocol.decode_logs(payload, len(episodes), 4096), engines


def test_replayed_logs_cost_what_the_engine_charged(matrix: ReplayMatrix) -> None:
    episodes, logs, engines = _logs(matrix, random.Random(3))
    results = account(matrix, replay_arrays(matrix, SEEDS), episodes, logs, trace_seeds=1)
    assert not isinstance(results, IllegalAction)
    for i, (s, q) in enumerate(episodes.tolist()):
        assert results.tokens[s, q] == engines[i].total
        assert results.sequential_tokens[s, q] == engines[i].sequential_tokens
        assert results.branches_opened[s, q] == engines[i].opened
        assert results.correct[s, q] == (logs.answers[i] == matrix.gold_answers[q])
    assert sorted(results.traces) == [(0, q) for q in range(matrix.n_questions)]


@pytest.mark.parametrize(("tamper", "action"), [
    ([protocol.BRANCH, 1 << 2 | protocol.CONTINUE], "continue(1)"),  # a branch never opened
    ([protocol.BRANCH, protocol.PRUNE, protocol.CONTINUE], "continue(0)"),  # a pruned branch
    ([protocol.BRANCH] * 25, "branch"),  # more branches than the question has (24)
    ([1 << 2 | protocol.READ], "read"),  # a malformed code
])
def test_the_first_illegal_action_is_named(matrix: ReplayMatrix, tamper: list[int], action: str) -> None:
    episodes, logs, _ = _logs(matrix, random.Random(5))
    codes = np.concatenate([np.array(tamper, dtype=np.int32), logs.codes[logs.starts[1]:]])
    starts = np.concatenate([[0], logs.starts[1:] - logs.starts[1] + len(tamper)])
    forged = protocol.EpisodeLogs(codes, starts, logs.answers)
    found = account(matrix, replay_arrays(matrix, SEEDS), episodes, forged, trace_seeds=0)
    assert isinstance(found, IllegalAction)
    assert (found.seed, found.question, found.step, found.action) == (0, 0, len(tamper) - 1, action)
