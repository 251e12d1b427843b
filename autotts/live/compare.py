"""Does replay predict live? A controller's replay figures against its live ones, with intervals.

Replay gives, per question, the controller's accuracy and tokens averaged
over branch orders of the stored samples; live gives one (or a few) fresh runs
per question on the same model with the same sampling settings. Their
per-question differences are paired, so the intervals come from resampling
questions (a percentile bootstrap): they cover both question-to-question
spread and the live runs' own sampling noise. A difference whose interval
holds 0 is one the data cannot tell from none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autotts.errors import ConfigError
from autotts.live.solve import SolvedQuestion
from autotts.results import EpisodeResults

__all__ = ["Difference", "ReplayVsLive", "compare_replay_live"]


@dataclass(frozen=True, slots=True)
class Difference:
    """live - replay, averaged over questions, with a bootstrap interval."""

    replay: float
    live: float
    low: float  # of live - replay
    high: float

    @property
    def delta(self) -> float:
        return self.live - self.replay

    def __str__(self) -> str:
        interval = f"[{self.low:+,.2f}, {self.high:+,.2f}]"
        return f"replay {self.replay:,.2f}  live {self.live:,.2f}  diff {self.delta:+,.2f} {interval}"


@dataclass(frozen=True, slots=True)
class ReplayVsLive:
    questions: int
    live_runs: int  # live runs per question
    accuracy: Difference  # percent
    tokens: Difference  # sampled tokens per question
    branches: Difference  # branches opened per question
    confidence: float


def compare_replay_live(
    replay: EpisodeResults,
    live: Sequence[Sequence[SolvedQuestion]],
    *,
    confidence: float = 0.95,
    draws: int = 2000,
    seed: int = 0,
) -> ReplayVsLive:
    """Compare ``replay`` (``[seeds, questions]`` episodes) with live runs (each a result per question).

    Live questions that failed are an error here, not a wrong answer: a crash
    would otherwise read as replay over-predicting accuracy.
    """
    n = replay.tokens.shape[1]
    if not live:
        raise ConfigError("no live run to compare with")
    for run in live:
        if [q.question_idx for q in run] != list(range(n)):
            raise ConfigError(f"a live run covers questions {[q.question_idx for q in run]}, replay has 0..{n - 1}")
        failed = [q.error for q in run if q.error is not None]
        if failed:
            raise ConfigError(f"{len(failed)} live questions failed, e.g. {failed[0]}")
    replay_q = {
        "accuracy": 100.0 * replay.correct.mean(axis=0),
        "tokens": replay.tokens.mean(axis=0).astype(float),
        "branches": replay.branches_opened.mean(axis=0).astype(float),
    }
    live_q = {
        "accuracy": 100.0 * np.mean([[q.correct for q in run] for run in live], axis=0),
        "tokens": np.mean([[q.sample_tokens for q in run] for run in live], axis=0),
        "branches": np.mean([[q.branches_opened for q in run] for run in live], axis=0),
    }
    rng = np.random.default_rng(seed)
    resamples = rng.integers(0, n, size=(draws, n))
    tail = (1 - confidence) / 2 * 100

    def difference(name: str) -> Difference:
        diffs = live_q[name] - replay_q[name]
        means = diffs[resamples].mean(axis=1)
        low, high = np.percentile(means, [tail, 100 - tail])
        return Difference(float(replay_q[name].mean()), float(live_q[name].mean()), float(low), float(high))

    return ReplayVsLive(
        questions=n,
        live_runs=len(live),
        accuracy=difference("accuracy"),
        tokens=difference("tokens"),
        branches=difference("branches"),
        confidence=confidence,
    )
