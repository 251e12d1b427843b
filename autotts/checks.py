"""Executable contracts for environments and controllers, shipped with the package.

``check_environment`` replays random action scripts on a store and checks the
engine's invariants; ``check_controller`` runs a controller on a store and
checks what every controller must honour. Both return the problems found
(an empty tuple means the contract holds), so callers decide how to report.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from autotts.controllers.loading import resolve_controller
from autotts.errors import ConfigError
from autotts.evaluate.runner import ReplayOutcome, replay_controller
from autotts.evaluate.seeds import branch_order
from autotts.replay.episode import Episode, live_view
from autotts.replay.matrix import QuestionTraces, ReplayMatrix
from autotts.rules import MAX_BRANCHES, first_token_drop

__all__ = ["check_controller", "check_environment"]


def check_environment(matrix: ReplayMatrix, *, episodes: int = 50, actions: int = 40, seed: int = 0) -> tuple[str, ...]:
    """Random scripts of opens, probes and full reads: no charge is negative, no branch is charged
    beyond max(its tokens, its probes x interval), every answer comes from the branch it was asked
    of, and replaying the same script costs the same."""
    rng = random.Random(seed)
    problems = []
    for e in range(episodes):
        q = rng.randrange(matrix.n_questions)
        traces = matrix.traces[q]
        order = branch_order(e, len(traces.finals))
        script = [rng.choice(("new", "read", "more", "more", "more")) for _ in range(actions)]
        picks = [rng.randrange(1 << 30) for _ in range(actions)]
        runs = [_play(traces, order, script, picks) for _ in range(2)]
        if runs[0] != runs[1]:
            problems.append(f"question {q}, seed {e}: the same actions gave different results")
        for branch, answer, cost in runs[0]:
            stored = order[branch]
            allowed = set(traces.probes[stored]) | {traces.finals[stored]}
            limit = max(traces.tokens[stored], len(traces.probes[stored]) * traces.probe_freq)
            if cost < 0 or cost > limit:
                problems.append(f"question {q}, seed {e}: branch {branch} charged {cost} (limit {limit})")
            if answer not in allowed:
                problems.append(f"question {q}, seed {e}: branch {branch} revealed {answer!r}, not in its trace")
    return tuple(problems)


def _play(
    traces: QuestionTraces, order: Sequence[int], script: Sequence[str], picks: Sequence[int]
) -> list[tuple[int, str, int]]:
    """(branch, answer, tokens charged to that branch so far) after each successful action."""
    episode = Episode(traces, order, record=True)
    charged: dict[int, int] = {}
    out = []
    with live_view(episode) as view:
        for action, pick in zip(script, picks, strict=True):
            try:
                if action == "new":
                    obs = view.branch()
                elif action == "read":
                    obs = view.read_new()
                elif view.branches_opened:
                    obs = view.continue_branch(pick % view.branches_opened)
                else:
                    continue
            except ValueError:
                continue
            assert episode.events is not None
            charged[obs.branch] = charged.get(obs.branch, 0) + episode.events[-1].cost
            out.append((obs.branch, obs.answer, charged[obs.branch]))
    return out


def check_controller(
    controller: str, matrix: ReplayMatrix, *, betas: Sequence[float] = (0.0, 0.5, 1.0), seeds: int = 2
) -> tuple[str, ...]:
    """The rules of :mod:`autotts.rules`: answers are strings or None, at most ``MAX_BRANCHES`` branches,
    deterministic for a seed, and (for a controller with ``beta``) average tokens that do not fall as beta grows."""
    try:
        resolve_controller(controller, {"beta": betas[0]})
        sweep: Sequence[float | None] = betas
    except ConfigError:
        sweep = (None,)
    problems: list[str] = []
    costs = []
    for beta in sweep:
        label = f"{controller} (beta={beta})" if beta is not None else controller
        params = {"beta": beta} if beta is not None else {}
        first, second = (
            replay_controller(matrix.traces, resolve_controller(controller, params)[0], seeds=seeds, trace_seeds=0)
            for _ in range(2)
        )
        problems += _outcome_problems(label, first, second)
        costs.append(float(first.tokens.mean()))
    swept = [(beta, cost) for beta, cost in zip(sweep, costs, strict=True) if beta is not None]
    drop = first_token_drop(swept)
    if drop is not None:
        (b0, t0), (b1, t1) = drop
        problems.append(f"{controller}: avg tokens fall from {t0:.0f} at beta={b0} to {t1:.0f} at beta={b1}")
    return tuple(problems)


def _outcome_problems(label: str, first: ReplayOutcome, second: ReplayOutcome) -> list[str]:
    problems = []
    bad = [a for a in first.answers.ravel() if a is not None and not isinstance(a, str)]
    if bad:
        problems.append(f"{label}: returned {type(bad[0]).__name__} answers; expected str or None")
    if first.branches_opened.max() > MAX_BRANCHES:
        problems.append(f"{label}: opened {first.branches_opened.max()} branches (at most {MAX_BRANCHES})")
    if not (np.array_equal(first.answers, second.answers) and np.array_equal(first.tokens, second.tokens)):
        problems.append(f"{label}: not deterministic: the same seeds gave different answers or costs")
    return problems
