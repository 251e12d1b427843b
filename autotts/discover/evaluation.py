"""Evaluating one candidate file over the beta sweep on every search model.

A candidate is one of two kinds, decided from its text alone
(:func:`~autotts.discover.sandbox.is_template_source`):

- **trusted**: exactly what autotts's mechanism template renders from the
  genome it declares (the ``evolve`` proposer's candidates). It is autotts
  code, so it runs here, through its compiled fast path where it has one;
- **untrusted**: anything else. It runs in an OS-isolated worker that sees
  gold-free traces and returns only action logs and answers, which are
  accounted and graded here, and a secret sample of its episodes is re-run
  in strict mode to catch peeking (:mod:`autotts.discover.sandbox`).

Both kinds end as graded :class:`EpisodeResults` per (model, beta), turned
into curve points and trace summaries the same way. Every failure is
returned as the candidate's result with its reason; only missing isolation
raises, before any candidate is charged for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autotts.discover.history import Failure, TraceSummary
from autotts.discover.sandbox import (
    FINAL,
    SEARCH,
    Group,
    Isolation,
    SandboxLimits,
    SourceRejected,
    UntrustedRunner,
    WorkerFailure,
    is_template_source,
    read_source,
    trusted_controller,
)
from autotts.discover.selection import CurvePoint, monotone_violation
from autotts.evaluate.runner import run_episodes
from autotts.replay.episode import TraceEvent
from autotts.replay.matrix import ReplayMatrix
from autotts.results import EpisodeResults
from autotts.rules import MAX_BRANCHES, TOKEN_TOLERANCE

__all__ = ["CandidateEvaluator", "EvalSettings", "Evaluated", "origin_of"]


@dataclass(frozen=True, slots=True)
class EvalSettings:
    betas: tuple[float, ...]
    jobs: int = 2
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    tolerance: float = TOKEN_TOLERANCE  # relative drop in avg tokens tolerated between consecutive betas
    trace_seeds: int = 1
    isolation: Isolation = Isolation.BUBBLEWRAP


@dataclass(frozen=True, slots=True)
class Evaluated:
    """The outcome of evaluating a candidate: figures and traces, or the failure that stopped it."""

    points: tuple[CurvePoint, ...]
    traces: tuple[TraceSummary, ...]
    failure: Failure | None
    origin: str = ""  # trusted | sandboxed | unsafe-opt-out (empty when the source was refused unread)


def origin_of(source: str, isolation: Isolation) -> str:
    """Where a result for ``source`` comes from: ``trusted`` (run here) or the isolation's name."""
    return "trusted" if is_template_source(source) else isolation.value


class CandidateEvaluator:
    """Evaluates candidate files on fixed search matrices; holds their gold answers, workers never do."""

    def __init__(self, matrices: Sequence[ReplayMatrix], settings: EvalSettings) -> None:
        self.matrices = list(matrices)
        self.settings = settings
        self._untrusted = UntrustedRunner(self.matrices, settings.isolation, settings.limits)

    def evaluate(self, path: Path, seeds: int, *, final: bool = False,
                 limits: SandboxLimits | None = None) -> Evaluated:
        """The candidate at ``path`` over seeds 0..seeds-1 on every model and beta; ``final`` (a finalist)
        verifies a larger sample, ``limits`` replace the settings' limits."""
        try:
            source = read_source(path)
        except SourceRejected as exc:
            return Evaluated((), (), Failure("source", str(exc)))
        origin = origin_of(source, self.settings.isolation)
        if origin == "trusted":
            results = self._trusted(source, seeds)
        else:
            groups = [Group(m, {"beta": b}) for m in range(len(self.matrices)) for b in self.settings.betas]
            results = self._untrusted.run(source, groups, seeds, trace_seeds=self.settings.trace_seeds,
                                          level=FINAL if final else SEARCH, limits=limits)
        if isinstance(results, WorkerFailure):
            return Evaluated((), (), Failure(results.kind, results.message, results.excerpt), origin)
        points: list[CurvePoint] = []
        traces: list[TraceSummary] = []
        for (matrix, beta), result in zip(self._pairs(), results, strict=True):
            points.append(_point(matrix, beta, result))
            traces += _summaries(matrix, beta, result)
            failure = _branch_limit(matrix, beta, result)
            if failure:
                return Evaluated((), (), failure, origin)
        bad = monotone_violation(points, self.settings.tolerance)
        failure = Failure("non-monotone", "beta check failed: " + bad) if bad else None
        return Evaluated(tuple(points), tuple(traces), failure, origin)

    def _pairs(self) -> list[tuple[ReplayMatrix, float]]:
        return [(m, b) for m in self.matrices for b in self.settings.betas]

    def _trusted(self, source: str, seeds: int) -> list[EpisodeResults] | WorkerFailure:
        """Run a template candidate here (it is autotts code); its own errors are its failure."""
        out = []
        try:
            for matrix, beta in self._pairs():
                controller = trusted_controller(source, "candidate.py", {"beta": beta})
                out.append(run_episodes(matrix, controller, seeds=seeds, trace_seeds=self.settings.trace_seeds))
        except Exception as exc:  # a template bug is reported, never fatal to the loop
            return WorkerFailure("exception", f"{type(exc).__name__}: {exc}"[:600])
        return out


def _point(matrix: ReplayMatrix, beta: float, r: EpisodeResults) -> CurvePoint:
    return CurvePoint(matrix.model, beta, r.accuracy, r.avg_tokens, tuple(r.correct.mean(axis=0).tolist()),
                      tuple(r.tokens.mean(axis=0).tolist()))


def _summaries(matrix: ReplayMatrix, beta: float, r: EpisodeResults) -> list[TraceSummary]:
    """Per traced episode: branches opened and pruned, depth used, tokens, why it stopped."""
    return [_summary(matrix, beta, seed, q, events, r) for (seed, q), events in sorted(r.traces.items())]


def _summary(matrix: ReplayMatrix, beta: float, seed: int, q: int, events: list[TraceEvent],
             r: EpisodeResults) -> TraceSummary:
    opened = sum(e.action in ("branch", "read") for e in events)
    pruned = {e.branch for e in events if e.action == "prune"}
    finished = {e.branch for e in events if e.finished}
    live = opened - len(pruned | finished)
    return TraceSummary(matrix.model, beta, seed, q, opened, len(pruned), max((e.depth for e in events), default=0),
                        sum(e.cost for e in events), f"early stop, {live} live" if live else "no live branch left",
                        r.answers[seed, q], bool(r.correct[seed, q]))


def _branch_limit(matrix: ReplayMatrix, beta: float, r: EpisodeResults) -> Failure | None:
    opened = r.branches_opened
    if int(opened.max(initial=0)) <= MAX_BRANCHES:
        return None
    s, q = np.unravel_index(int(opened.argmax()), opened.shape)
    return Failure("branch-limit", f"{matrix.model}, beta={beta:g}: opened {int(opened.max())} branches "
                                   f"(limit {MAX_BRANCHES}) on seed {s}, question {q}")
