"""The replay-vs-live comparison: paired per-question differences with bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pytest

from autotts.errors import ConfigError
from autotts.live.compare import compare_replay_live
from autotts.live.solve import SolvedQuestion
from autotts.results import EpisodeResults


def replayed(correct: list[list[bool]], tokens: list[list[int]]) -> EpisodeResults:
    c = np.array(correct, dtype=bool)
    t = np.array(tokens, dtype=np.int64)
    return EpisodeResults(np.full(c.shape, "x", dtype=object), c, t, t, np.full(c.shape, 2, dtype=np.int32))


def solved(idx: int, correct: bool, tokens: int, error: str | None = None) -> SolvedQuestion:
    return SolvedQuestion(idx, "x", tokens, tokens, 0, 0, 0, None, 2, 0, 1.0, error=error, correct=correct)


def test_identical_figures_differ_by_nothing_with_a_zero_width_interval() -> None:
    replay = replayed([[True, False, True]] * 4, [[100, 200, 300]] * 4)
    live = [[solved(0, True, 100), solved(1, False, 200), solved(2, True, 300)]]
    result = compare_replay_live(replay, live)
    assert (result.accuracy.delta, result.accuracy.low, result.accuracy.high) == (0.0, 0.0, 0.0)
    assert (result.tokens.replay, result.tokens.live) == (200.0, 200.0)
    assert result.branches.delta == 0.0


def test_a_consistent_shift_is_found_and_its_interval_excludes_zero() -> None:
    n = 40
    replay = replayed([[False] * n] * 2, [list(range(100, 100 + n))] * 2)
    live = [[solved(q, q % 2 == 0, 150 + q) for q in range(n)]]
    result = compare_replay_live(replay, live)
    assert result.accuracy.delta == pytest.approx(50.0)
    assert result.accuracy.low > 0 and result.accuracy.high < 100
    assert result.tokens.delta == pytest.approx(50.0)
    assert result.tokens.low == pytest.approx(50.0) and result.tokens.high == pytest.approx(50.0)


def test_live_runs_are_averaged_per_question_before_comparing() -> None:
    replay = replayed([[True, True]], [[10, 10]])
    live = [[solved(0, True, 10), solved(1, False, 30)], [solved(0, False, 10), solved(1, True, 10)]]
    result = compare_replay_live(replay, live)
    assert result.live_runs == 2
    assert result.accuracy.live == pytest.approx(50.0)
    assert result.tokens.live == pytest.approx(15.0)


def test_failed_live_questions_are_an_error_not_a_wrong_answer() -> None:
    replay = replayed([[True]], [[10]])
    with pytest.raises(ConfigError, match="live questions failed"):
        compare_replay_live(replay, [[solved(0, False, 10, error="question 0: generation failed")]])
    with pytest.raises(ConfigError, match="covers questions"):
        compare_replay_live(replay, [[solved(3, True, 10)]])
