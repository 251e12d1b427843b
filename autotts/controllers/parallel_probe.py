"""Parallel-Probe: many chains deepened in lockstep, off-track chains pruned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from autotts.controllers.base import Controller, register
from autotts.controllers.voting import majority
from autotts.replay.arrays import ReplayArrays
from autotts.replay.episode import QuestionView

__all__ = ["ParallelProbe"]

_MAX_STEPS = 100


@register("parallel-probe")
@dataclass(frozen=True)
class ParallelProbe(Controller):
    """Open n chains, deepen all each step, stop after T stable winners (docs/CONTROLLERS.md)."""

    n: int = 64
    T: int = 40
    patience: int = 7
    warm_up: int = 15
    limits: ClassVar = {"n": (1, None), "T": (1, None), "patience": (1, None), "warm_up": (0, None)}

    def solve(self, question: QuestionView) -> str | None:
        n = min(self.n, question.branch_limit)
        latest: list[str] = []
        finished: list[bool] = []
        pruned = [False] * n
        off_track = [0] * n
        for _ in range(n):
            obs = question.branch()
            latest.append(obs.answer)
            finished.append(obs.finished)
        previous: str | None = None
        stable = 0
        for step in range(_MAX_STEPS):
            for i in range(n):
                if not pruned[i] and not finished[i]:
                    obs = question.continue_branch(i)
                    latest[i] = obs.answer
                    finished[i] = obs.finished
            active = [i for i in range(n) if not pruned[i]]
            winner = majority(latest[i] for i in active)
            if step >= self.warm_up and len(active) > 1:
                for i in active:
                    if not finished[i]:
                        off_track[i] = off_track[i] + 1 if latest[i] != winner else 0
                dropped = [i for i in active if not finished[i] and off_track[i] >= self.patience]
                for i in dropped:
                    pruned[i] = True
                    question.prune(i)
                if dropped:
                    winner = majority(latest[i] for i in range(n) if not pruned[i])
            stable = stable + 1 if winner == previous else 0
            if stable >= self.T:
                return winner
            previous = winner
            if all(pruned[i] or finished[i] for i in range(n)):
                break
        return previous

    def replay_arrays(self, arrays: ReplayArrays) -> tuple[np.ndarray, ...]:
        from autotts.controllers.kernels.parallel_probe import replay_parallel_probe

        return replay_parallel_probe(arrays, self.n, self.T, self.patience, self.warm_up, _MAX_STEPS)
