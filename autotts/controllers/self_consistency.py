"""The full-read baselines: SC, ASC and ESC (see docs/CONTROLLERS.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from autotts.controllers.base import Controller, register
from autotts.controllers.voting import beta_conf, majority, vote_stats
from autotts.replay.arrays import ReplayArrays
from autotts.replay.episode import QuestionView

__all__ = ["AdaptiveConsistency", "EarlyStoppingConsistency", "SelfConsistency"]


@register("sc")
@dataclass(frozen=True)
class SelfConsistency(Controller):
    """SC@k: read k whole branches, answer with the majority of their final answers."""

    k: int = 64
    limits: ClassVar = {"k": (1, None)}

    def solve(self, question: QuestionView) -> str | None:
        reads = min(self.k, question.branch_limit)
        return majority(question.read_new().answer for _ in range(reads))

    def replay_arrays(self, arrays: ReplayArrays) -> tuple[np.ndarray, ...]:
        from autotts.controllers.kernels.majority import replay_majority

        return replay_majority(arrays, self.k)


@register("asc")
@dataclass(frozen=True)
class AdaptiveConsistency(Controller):
    """ASC: read branches one at a time; stop once the leader is confidently ahead."""

    k: int = 64
    threshold: float = 0.95
    limits: ClassVar = {"k": (1, None), "threshold": (0.0, 1.0)}

    def solve(self, question: QuestionView) -> str | None:
        answers: list[str] = []
        for _ in range(min(self.k, question.branch_limit)):
            answers.append(question.read_new().answer)
            if len(answers) >= 2:
                winner, top1, top2 = vote_stats(answers)
                if beta_conf(top1, top2) > self.threshold:
                    return winner
        return majority(answers)

    def replay_arrays(self, arrays: ReplayArrays) -> tuple[np.ndarray, ...]:
        from autotts.controllers.kernels import conf_table
        from autotts.controllers.kernels.full_read import ASC, replay_full_read

        return replay_full_read(arrays, ASC, self.k, self.threshold, 1, conf_table(arrays.orders.shape[2]))


@register("esc")
@dataclass(frozen=True)
class EarlyStoppingConsistency(Controller):
    """ESC: read windows of w branches; stop at the first unanimous window."""

    k: int = 64
    window: int = 8
    limits: ClassVar = {"k": (1, None), "window": (1, None)}

    @property
    def _window(self) -> int:
        """A budget below one window reads one window of k branches (so ESC@k exists for every k >= 1)."""
        return max(1, min(self.window, self.k))

    def solve(self, question: QuestionView) -> str | None:
        answers: list[str] = []
        width = self._window
        for _ in range(self.k // width):
            size = min(width, question.branch_limit - question.branches_opened)
            window = [question.read_new().answer for _ in range(size)]
            answers.extend(window)
            if window and all(a == window[0] for a in window):
                return window[0]
        return majority(answers)

    def replay_arrays(self, arrays: ReplayArrays) -> tuple[np.ndarray, ...]:
        from autotts.controllers.kernels import conf_table
        from autotts.controllers.kernels.full_read import ESC, replay_full_read

        return replay_full_read(arrays, ESC, self.k, 0.0, self._window, conf_table(arrays.orders.shape[2]))
