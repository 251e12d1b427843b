"""CMC, the Confidence Momentum Controller that AutoTTS discovered (docs/CONTROLLERS.md).

It grows a few branches, deepens the ones that agree with the pool of
completed answers in bursts, abandons persistent dissenters, widens while the
smoothed confidence is low and flat, and stops once an EMA of the
Beta-majority confidence is high and not falling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from autotts.controllers.base import Controller, register
from autotts.controllers.voting import beta_conf, majority, vote_stats
from autotts.replay.arrays import ReplayArrays
from autotts.replay.episode import QuestionView

__all__ = ["CMC", "CMCSchedule"]

_MAX_STEPS = 500


@dataclass(frozen=True, slots=True)
class CMCSchedule:
    """Every internal knob of CMC as a monotone function of beta."""

    n_init: int
    max_branch_use: int
    warm_up: int
    abandon_patience: int
    t_ema: int
    alpha: float
    conf_thresh: float
    delta_slack: float
    burst_aligned: int
    widen_burst: int
    trend_thresh: float
    min_complete: int

    @classmethod
    def from_beta(cls, beta: float) -> CMCSchedule:
        b = beta
        return cls(
            n_init=max(2, round(2 + 6 * b)),
            max_branch_use=min(64, round(4 + 60 * b)),
            warm_up=max(2, round(2 + 8 * b)),
            abandon_patience=max(3, round(3 + 9 * b)),
            t_ema=max(2, round(2 + 6 * b)),
            alpha=round(0.70 - 0.40 * b, 4),
            conf_thresh=round(0.85 + 0.12 * b, 4),
            delta_slack=round(0.04 - 0.03 * b, 4),
            burst_aligned=max(1, round(1 + 2 * b)),
            widen_burst=max(1, round(1 + 3 * b)),
            trend_thresh=round(0.04 - 0.03 * b, 4),
            min_complete=max(2, round(2 + 3 * b)),
        )


@dataclass(slots=True)
class _Branch:
    index: int
    latest: str
    finished: bool
    abandoned: bool = False
    probes: int = 1
    disagree: int = 0


@register("cmc")
@dataclass(frozen=True)
class CMC(Controller):
    beta: float = 0.5
    schedule: CMCSchedule = field(init=False, repr=False, compare=False)
    limits: ClassVar = {"beta": (0.0, 1.0)}

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "schedule", CMCSchedule.from_beta(self.beta))

    def solve(self, question: QuestionView) -> str | None:
        s = self.schedule
        branches: list[_Branch] = []
        pool: list[str] = []

        def widen(count: int) -> None:
            for _ in range(count):
                try:
                    obs = question.branch()
                except ValueError:
                    return
                branches.append(_Branch(obs.branch, obs.answer, obs.finished))
                if obs.finished:
                    pool.append(obs.answer)

        widen(s.n_init)
        if not branches:
            return None
        ema = 0.0
        history: list[float] = []
        for step in range(_MAX_STEPS):
            winner, top1, top2 = vote_stats(pool)
            warm = step >= s.warm_up
            ema = (1 - s.alpha) * ema + s.alpha * beta_conf(top1, top2)
            history.append(ema)
            del history[: -s.t_ema]

            if warm and winner is not None:
                live = [b for b in branches if not b.finished and not b.abandoned]
                for b in live:
                    b.disagree = b.disagree + 1 if b.latest != winner else 0
                dissenters = sorted(
                    (b for b in live if b.disagree >= s.abandon_patience), key=lambda b: b.disagree, reverse=True
                )
                for b in dissenters[: max(0, len(live) - 2)]:
                    b.abandoned = True
                    question.prune(b.index)

            live = sorted(
                (b for b in branches if not b.finished and not b.abandoned), key=lambda b: b.probes, reverse=True
            )
            for b in live:
                bursts = s.burst_aligned if warm and b.latest == winner else 1
                for _ in range(bursts):
                    try:
                        obs = question.continue_branch(b.index)
                    except ValueError:
                        b.finished = True
                        pool.append(b.latest)
                        break
                    b.latest = obs.answer
                    b.probes += 1
                    if obs.finished:
                        b.finished = True
                        pool.append(obs.answer)
                        break

            winner, top1, top2 = vote_stats(pool)
            ema = (1 - s.alpha) * ema + s.alpha * beta_conf(top1, top2)
            history[-1] = ema
            delta = history[-1] - history[0] if len(history) >= 2 else 0.0
            if warm and len(pool) >= s.min_complete and ema >= s.conf_thresh and delta >= -s.delta_slack:
                return winner
            if all(b.finished or b.abandoned for b in branches):
                break
            if (
                len(branches) < s.max_branch_use
                and delta <= s.trend_thresh
                and step >= max(1, s.warm_up // 2)
                and ema < s.conf_thresh
            ):
                widen(min(s.widen_burst, s.max_branch_use - len(branches)))

        if pool:
            return majority(pool)
        return majority(b.latest for b in branches if not b.abandoned and b.latest is not None)

    def replay_arrays(self, arrays: ReplayArrays) -> tuple[np.ndarray, ...]:
        from autotts.controllers.kernels import conf_table
        from autotts.controllers.kernels.cmc import replay_cmc

        s = self.schedule
        knobs = np.array(
            [
                s.n_init,
                s.max_branch_use,
                s.warm_up,
                s.abandon_patience,
                s.t_ema,
                s.burst_aligned,
                s.widen_burst,
                s.min_complete,
            ],
            dtype=np.int64,
        )
        floats = np.array([s.alpha, s.conf_thresh, s.delta_slack, s.trend_thresh], dtype=np.float64)
        return replay_cmc(arrays, knobs, floats, conf_table(arrays.orders.shape[2]), _MAX_STEPS)
