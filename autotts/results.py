"""Typed evaluation results: per-episode arrays and the figures reported from them.

They sit at the bottom of the package, beside the errors, because both the
evaluators that make them and the store that records them need them: the store
must not depend on the evaluation code above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from autotts.replay.episode import TraceEvent

__all__ = ["EpisodeResults", "Evaluation"]


@dataclass(frozen=True, eq=False)
class EpisodeResults:
    """One row per (seed, question) episode, as ``[seeds, questions]`` arrays.

    ``answers`` holds answer strings (``None`` for no answer); ``correct`` is
    graded outside the controller against the gold answers.
    """

    answers: np.ndarray  # object [S, Q]
    correct: np.ndarray  # bool [S, Q]
    tokens: np.ndarray  # int64 [S, Q]
    sequential_tokens: np.ndarray  # int64 [S, Q]
    branches_opened: np.ndarray  # int32 [S, Q]
    traces: dict[tuple[int, int], list[TraceEvent]] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        """Percent, mean over seeds of the fraction of questions right, 2 decimals."""
        return round(float(self.correct.mean(axis=1).mean()) * 100, 2)

    @property
    def avg_tokens(self) -> float:
        return float(self.tokens.mean())

    @property
    def avg_sequential_tokens(self) -> float:
        return float(self.sequential_tokens.mean())

    @property
    def episodes(self) -> int:
        return int(self.tokens.size)


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A controller's results on one (model, benchmark) at one beta."""

    eval_id: str
    model: str
    benchmark: str
    controller: str
    controller_hash: str
    params: dict[str, Any]
    beta: float | None
    seeds: int
    results: EpisodeResults
    cpu_seconds: float = 0.0  # process CPU time the replay took (grading included)
    origin: str = "trusted"  # trusted (ran in-process) | sandboxed | unsafe-opt-out

    def summary(self) -> dict[str, Any]:
        """The reported figures, as printed by ``autotts eval --json``."""
        r = self.results
        return {
            "model": self.model,
            "benchmark": self.benchmark,
            "controller": self.controller,
            "beta": self.beta,
            "params": self.params,
            "accuracy": r.accuracy,
            "avg_tokens": round(r.avg_tokens, 3),
            "avg_sequential_tokens": round(r.avg_sequential_tokens, 3),
            "episodes": r.episodes,
            "origin": self.origin,
        }
