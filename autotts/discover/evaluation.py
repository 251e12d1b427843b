"""Evaluating one candidate file: static check, a cheap first pass, then the sweep on every search model.

The cascade, cheapest first: the static check; then one sandboxed worker
that makes a cheap first pass (one seed, the two extreme betas, on the first
search model) with the peeking audit, and only then the full sweep over every
beta on every search model. One process per candidate keeps the start-up
cost to one interpreter; the loop runs ``jobs`` candidates at once. Workers
get gold-free traces only; answers are graded here. A failure at any stage
is returned as the candidate's result.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autotts.discover.history import Failure, TraceSummary
from autotts.discover.sandbox import SandboxLimits, WorkerFailure, check_source, run_worker
from autotts.discover.selection import CurvePoint, monotone_violation
from autotts.evaluate.runner import ReplayOutcome, grade
from autotts.files import atomic_write
from autotts.replay.matrix import ReplayMatrix
from autotts.rules import MAX_BRANCHES, TOKEN_TOLERANCE

__all__ = ["CandidateEvaluator", "EvalSettings", "Evaluated"]


@dataclass(frozen=True, slots=True)
class EvalSettings:
    betas: tuple[float, ...]
    jobs: int = 2
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    tolerance: float = TOKEN_TOLERANCE  # relative drop in avg tokens tolerated between consecutive betas
    audit_seeds: int = 1
    trace_seeds: int = 1


@dataclass(frozen=True, slots=True)
class Evaluated:
    """The outcome of evaluating a candidate: figures and traces, or the failure that stopped it."""

    points: tuple[CurvePoint, ...]
    traces: tuple[TraceSummary, ...]
    failure: Failure | None


class CandidateEvaluator:
    """Evaluates candidate files on fixed search matrices; holds their gold answers, the workers never do."""

    def __init__(self, matrices: Sequence[ReplayMatrix], settings: EvalSettings, workdir: Path) -> None:
        self.matrices = list(matrices)
        self.settings = settings
        self.trace_files: dict[str, Path] = {}
        workdir.mkdir(parents=True, exist_ok=True)
        for m in self.matrices:
            path = workdir / f"{m.model}.{m.benchmark}.traces.pkl"
            if not path.exists():
                atomic_write(path, pickle.dumps(m.traces))
            self.trace_files[m.model] = path

    def evaluate(self, path: Path, seeds: int, *, first_pass: bool = True,
                 limits: SandboxLimits | None = None) -> Evaluated:
        """Run the cascade on the candidate at ``path`` over seeds 0..seeds-1 (under ``limits`` if given)."""
        violations = check_source(path.read_text())
        if violations:
            shown = "; ".join(map(str, violations[:3]))
            return Evaluated((), (), Failure("static", f"static check: {shown}", _lines(path, violations[0].line)))
        s = self.settings
        result = run_worker(self.job(path, seeds, first_pass=first_pass), limits or s.limits)
        if isinstance(result, WorkerFailure):
            return Evaluated((), (), Failure(result.kind, result.message, result.excerpt))
        if result["peek"]:
            return Evaluated((), (), Failure("peek", result["peek"]))
        matrices = {m.model: m for m in self.matrices}
        points: list[CurvePoint] = []
        traces: list[TraceSummary] = []
        for raw in result["points"]:
            point, summaries, failure = _graded(matrices[raw["model"]], raw)
            if failure:
                return Evaluated((), (), failure)
            points.append(point)
            traces.extend(summaries)
        bad = monotone_violation(points, s.tolerance)
        if bad:
            return Evaluated(tuple(points), tuple(traces), Failure("non-monotone", "beta check failed: " + bad))
        return Evaluated(tuple(points), tuple(traces), None)

    def job(self, path: Path, seeds: int, *, first_pass: bool) -> dict[str, Any]:
        """The worker's job: gold-free trace files, betas, seeds, and whether to make the first pass."""
        s = self.settings
        return {
            "source_path": str(path.resolve()), "betas": list(s.betas), "seeds": seeds, "trace_seeds": s.trace_seeds,
            "models": [{"model": m.model, "traces_path": str(self.trace_files[m.model].resolve())}
                       for m in self.matrices],
            "first_pass": {"betas": [min(s.betas), max(s.betas)], "audit_seeds": s.audit_seeds} if first_pass else None,
        }


def _graded(matrix: ReplayMatrix, raw: dict[str, Any]) -> tuple[CurvePoint, list[TraceSummary], Failure | None]:
    answers = np.empty((len(raw["answers"]), matrix.n_questions), dtype=object)
    answers[:] = raw["answers"]
    tokens = np.asarray(raw["tokens"], dtype=np.int64)
    opened = np.asarray(raw["opened"], dtype=np.int32)
    results = grade(ReplayOutcome(answers, tokens, tokens, opened), matrix.gold_answers)
    beta = float(raw["beta"])
    point = CurvePoint(
        matrix.model, beta, results.accuracy, results.avg_tokens,
        tuple(results.correct.mean(axis=0).tolist()), tuple(tokens.mean(axis=0).tolist()),
    )
    gold = matrix.gold_answers
    summaries = [
        TraceSummary(matrix.model, beta, t["seed"], t["question"], t["opened"], t["pruned"], t["depth"],
                     t["tokens"], t["stop"], t["answer"], t["answer"] == gold[t["question"]])
        for t in raw["traces"]
    ]
    if int(opened.max(initial=0)) > MAX_BRANCHES:
        s, q = np.unravel_index(int(opened.argmax()), opened.shape)
        return point, summaries, Failure(
            "branch-limit", f"{matrix.model}, beta={beta:g}: opened {int(opened.max())} branches "
                            f"(limit {MAX_BRANCHES}) on seed {s}, question {q}")
    return point, summaries, None


def _lines(path: Path, line: int, around: int = 2) -> str:
    text = path.read_text().splitlines()
    lo = max(0, line - 1 - around)
    return "\n".join(f"{i + 1:4d} | {t}" for i, t in enumerate(text[lo: line + around], start=lo))
