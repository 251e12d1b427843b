"""The template controller: one step loop that calls one chosen variant per mechanism slot.

Each step tallies the vote, smooths its confidence, prunes (once warm, sure
enough and not split), deepens the live branches, settles the steady ones,
tallies again, and either stops or widens. CMC is this loop with its own
variants and knob lines, exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from autotts.controllers.base import Controller
from autotts.discover.mechanisms.schedule import Schedule
from autotts.discover.mechanisms.state import Branch, Reading, live_branches
from autotts.replay.episode import QuestionView

__all__ = ["MAX_STEPS", "DiscoveredController", "Mechanisms", "run_episode"]

MAX_STEPS = 500


class Mechanisms(NamedTuple):
    """The chosen variant of every slot."""

    opening: Callable[[QuestionView, list[Branch], list[str], int, bool], None]
    tally: Callable[[Schedule, list[str], list[Branch]], tuple[str | None, float]]
    depth: Callable[[QuestionView, Schedule, list[Branch], list[str], str | None, bool], None]
    dissent: Callable[[QuestionView, Schedule, list[Branch], str], None]
    overlong: Callable[[QuestionView, Schedule, list[Branch], list[Branch]], None]
    settle: Callable[[Schedule, list[Branch], list[str]], None]
    stop: Callable[[Schedule, Reading, list[str], list[Branch]], bool]
    widen: Callable[[Schedule, int, Reading, int, list[str]], int]
    answer: Callable[[Schedule, list[str], list[Branch], str | None], str | None]
    split: Callable[[Schedule, list[str], float], bool]


def run_episode(question: QuestionView, s: Schedule, m: Mechanisms) -> str | None:
    """Solve one question: grow, deepen, prune, settle, widen and stop as the mechanisms say."""
    branches: list[Branch] = []
    pool: list[str] = []
    m.opening(question, branches, pool, s.n_init, True)
    if not branches:
        return None
    ema = 0.0
    history: list[float] = []
    stable = 0
    previous: str | None = None
    for step in range(MAX_STEPS):
        winner, conf = m.tally(s, pool, branches)
        warm = step >= s.warm_up
        ema = (1 - s.alpha) * ema + s.alpha * conf
        history.append(ema)
        del history[: -s.t_ema]
        split = m.split(s, pool, conf)
        if warm and winner is not None and conf >= s.prune_conf and len(pool) >= s.prune_after and not split:
            m.dissent(question, s, live_branches(branches), winner)
            m.overlong(question, s, live_branches(branches), branches)
        m.depth(question, s, live_branches(branches), pool, winner, warm)
        m.settle(s, live_branches(branches), pool)
        winner, conf = m.tally(s, pool, branches)
        ema = (1 - s.alpha) * ema + s.alpha * conf
        history[-1] = ema
        delta = history[-1] - history[0] if len(history) >= 2 else 0.0
        stable = stable + 1 if winner == previous else 0
        previous = winner
        reading = Reading(winner, conf, ema, delta, stable)
        sure = warm and len(pool) >= s.min_complete and not split and m.stop(s, reading, pool, branches)
        if sure or len(pool) >= s.max_complete:
            break
        live = len(live_branches(branches))
        count = 0 if split else min(m.widen(s, step, reading, live, pool), s.max_branches - len(branches))
        if count > 0:
            m.opening(question, branches, pool, count, False)
        elif not live:
            break
    return m.answer(s, pool, branches, m.tally(s, pool, branches)[0])


class DiscoveredController(Controller):
    """A template controller: knob lines in beta, and a variant per slot; one knob, beta."""

    def __init__(self, beta: float, lines: Mapping[str, Sequence[float]], mechanisms: Mechanisms) -> None:
        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"beta must be in [0, 1], got {beta}")
        self.beta = beta
        self.schedule = Schedule.from_lines(lines, beta)
        self.mechanisms = mechanisms

    def solve(self, question: QuestionView) -> str | None:
        return run_episode(question, self.schedule, self.mechanisms)
