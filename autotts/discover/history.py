"""The run's memory: candidate records as files in the run directory and rows in the store.

Each candidate's ``result.json`` is written atomically (temp name, rename)
after it has been evaluated, so a run killed at any moment resumes after the
last recorded candidate; a round's proposals are saved before any of them is
evaluated, so a resumed round evaluates the very same files. The store gets
the same records (replaced by key, so re-recording is harmless) for SQL.
History is also what proposers read: :func:`render_feedback` picks sources,
curves and the most telling trace excerpts within a size budget.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from autotts.discover.feedback import Section, fit_sections
from autotts.discover.proposers.base import Proposal, Usage
from autotts.discover.selection import CurvePoint
from autotts.errors import StoreBusyError
from autotts.files import atomic_write
from autotts.store.batch import Batch, Replace, commit

__all__ = ["CandidateRecord", "Failure", "History", "TraceSummary", "feedback_sections", "render_feedback"]


@dataclass(frozen=True, slots=True)
class TraceSummary:
    """One traced episode of a candidate: what it opened, pruned, how deep it went, why it stopped."""

    model: str
    beta: float
    seed: int
    question: int
    opened: int
    pruned: int
    depth: int
    tokens: int
    stop: str
    answer: str | None
    correct: bool


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a candidate was rejected: a short reason code, a one-line message, an excerpt to learn from."""

    reason: str  # static | exception | timeout | memory | audit | peek | output | crash | non-monotone | ...
    message: str
    excerpt: str = ""


@dataclass(frozen=True)
class CandidateRecord:
    """Everything known about one candidate of one round."""

    candidate_id: str
    round: int
    index: int
    proposal: Proposal
    source_hash: str | None
    failure: Failure | None
    points: tuple[CurvePoint, ...] = ()
    traces: tuple[TraceSummary, ...] = ()
    score: float | None = None
    seeds: int = 0

    @property
    def ok(self) -> bool:
        return self.failure is None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CandidateRecord:
        p = data["proposal"]
        proposal = Proposal(**{**p, "parents": tuple(p["parents"]), "usage": Usage(**p["usage"])})
        return cls(
            candidate_id=data["candidate_id"], round=data["round"], index=data["index"], proposal=proposal,
            source_hash=data["source_hash"], failure=Failure(**data["failure"]) if data["failure"] else None,
            points=tuple(_point(x) for x in data["points"]), traces=tuple(TraceSummary(**t) for t in data["traces"]),
            score=data["score"], seeds=data["seeds"],
        )


def _point(data: dict[str, Any]) -> CurvePoint:
    return CurvePoint(**{**data, "q_correct": tuple(data["q_correct"]), "q_tokens": tuple(data["q_tokens"])})


def candidate_id(round_: int, index: int) -> str:
    return f"r{round_:02d}c{index:02d}"


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


@dataclass
class History:
    """The records of one run directory, and the store they are mirrored to (if any)."""

    out: Path
    run_id: str
    store: Path | None
    records: dict[str, CandidateRecord] = field(default_factory=dict)

    @classmethod
    def open(cls, out: Path, run_id: str, store: Path | None) -> History:
        """Load the records already in ``out``; re-mirror them to the store (a kill may have come in between)."""
        history = cls(out, run_id, store)
        for stale in out.glob("**/.*.tmp"):
            stale.unlink()
        for path in sorted(out.glob("candidates/*/result.json")):
            record = CandidateRecord.from_json(json.loads(path.read_text()))
            history.records[record.candidate_id] = record
        if history.records:
            history._mirror(f"{len(history.records)} discovery candidates",
                            [r for record in history.records.values() for r in _candidate_rows(run_id, record)])
        return history

    def candidate_dir(self, cid: str) -> Path:
        return self.out / "candidates" / cid

    def saved_proposals(self, round_: int) -> list[Proposal] | None:
        path = self.out / "rounds" / f"r{round_:02d}" / "proposals.json"
        if not path.exists():
            return None
        return [Proposal(**{**p, "parents": tuple(p["parents"]), "usage": Usage(**p["usage"])})
                for p in json.loads(path.read_text())]

    def save_proposals(self, round_: int, proposals: Sequence[Proposal]) -> None:
        path = self.out / "rounds" / f"r{round_:02d}" / "proposals.json"
        atomic_write(path, json.dumps([dataclasses.asdict(p) for p in proposals], indent=1))

    def record(self, record: CandidateRecord) -> None:
        """Persist one evaluated candidate: its files first, then (atomically) its result, then the store."""
        folder = self.candidate_dir(record.candidate_id)
        p = record.proposal
        if p.source is not None:
            atomic_write(folder / "candidate.py", p.source)
        if p.prompt:
            atomic_write(folder / "prompt.md", p.prompt)
        if p.response:
            atomic_write(folder / "response.md", p.response)
        atomic_write(folder / "result.json", json.dumps(record.to_json()))
        self.records[record.candidate_id] = record
        self._mirror(f"discovery candidate {record.candidate_id}", _candidate_rows(self.run_id, record))

    def mirror(self, records: Sequence[CandidateRecord]) -> None:
        """Put many records into the store in one batch; their files are the caller's (the template search
        writes a generation to one file)."""
        if records:
            self._mirror(f"discovery candidates {records[0].candidate_id}..{records[-1].candidate_id}",
                         [row for r in records for row in _candidate_rows(self.run_id, r)])

    def spent(self) -> float:
        return sum(r.proposal.usage.cost for r in self.records.values() if not r.proposal.usage.cached)

    def ranked(self) -> list[CandidateRecord]:
        """Evaluated candidates, best search score first (ties: the earlier candidate)."""
        ok = [r for r in self.records.values() if r.ok and r.score is not None]
        return sorted(ok, key=lambda r: (-(r.score or 0.0), r.candidate_id))

    def record_points(self, cid: str, stage: str, points: Sequence[CurvePoint], seeds: int) -> None:
        self._mirror(f"{stage} points of {cid}", [_points_rows(self.run_id, cid, stage, points, seeds)])

    def record_run(self, config: dict[str, Any], summary: dict[str, Any] | None) -> None:
        row = {"run_id": self.run_id, "out_dir": str(self.out), "search_benchmark": config["search_benchmark"],
               "models": json.dumps(config["models"]), "proposer": config["proposer"],
               "objective": config["objective"], "config": json.dumps(config, sort_keys=True),
               "updated_at": datetime.now(UTC), "best_candidate": summary and summary.get("best_candidate"),
               "summary": summary and json.dumps(summary)}
        frame = pl.DataFrame([row], schema_overrides={"best_candidate": pl.String, "summary": pl.String})
        self._mirror("the discovery run", [Replace("discovery_runs", {"run_id": self.run_id}, frame)])

    def _mirror(self, what: str, replaces: Sequence[Replace]) -> None:
        """Copy records to the store, if the run has one; a store busy past the lock timeout gets them later
        (the batch is saved beside it), since the run directory already holds them and the run goes on."""
        if self.store is None:
            return
        try:
            commit(self.store, Batch(what, tuple(replaces)))
        except StoreBusyError as busy:
            print(f"autotts discover: {busy}", file=sys.stderr, flush=True)


def _candidate_rows(run_id: str, r: CandidateRecord) -> list[Replace]:
    key = {"run_id": run_id, "candidate_id": r.candidate_id}
    p, f, u = r.proposal, r.failure, r.proposal.usage
    candidate = pl.DataFrame([{
        "run_id": run_id, "candidate_id": r.candidate_id, "round": r.round, "idx": r.index, "proposer": p.proposer,
        "parents": json.dumps(list(p.parents)), "source": p.source, "source_hash": r.source_hash,
        "prompt": p.prompt, "response": p.response, "status": "ok" if f is None else "rejected",
        "reason": f.reason if f else "", "message": f.message if f else "", "excerpt": f.excerpt if f else "",
        "score": r.score, "tokens_in": u.tokens_in, "tokens_out": u.tokens_out, "cost": u.cost, "cached": u.cached,
    }], schema_overrides={"source": pl.String, "source_hash": pl.String, "score": pl.Float64, "cost": pl.Float64})
    traces = pl.DataFrame(
        [{"run_id": run_id, "candidate_id": r.candidate_id, "model": t.model, "beta": t.beta, "seed": t.seed,
          "question_idx": t.question, "branches_opened": t.opened, "branches_pruned": t.pruned, "depth": t.depth,
          "tokens": t.tokens, "stop_reason": t.stop, "answer": t.answer, "correct": t.correct} for t in r.traces],
        schema_overrides={"answer": pl.String, "beta": pl.Float64},
    ) if r.traces else None
    return [Replace("discovery_candidates", key, candidate), Replace("discovery_traces", key, traces),
            _points_rows(run_id, r.candidate_id, "search", r.points, r.seeds)]


def _points_rows(run_id: str, cid: str, stage: str, points: Sequence[CurvePoint], seeds: int) -> Replace:
    frame = pl.DataFrame(
        [{"run_id": run_id, "candidate_id": cid, "stage": stage, "model": x.model, "beta": x.beta, "seeds": seeds,
          "accuracy": x.accuracy, "avg_tokens": x.avg_tokens} for x in points],
        schema_overrides={"beta": pl.Float64, "accuracy": pl.Float64, "avg_tokens": pl.Float64},
    ) if points else None
    return Replace("discovery_points", {"run_id": run_id, "candidate_id": cid, "stage": stage}, frame)


def render_feedback(records: Iterable[CandidateRecord], *, budget: int = 12_000, shown: int = 3) -> str:
    """What a proposer should learn from the run so far, in whole sections within ``budget`` characters."""
    kept = fit_sections(feedback_sections(records, shown=shown), budget)
    return "\n\n".join(["# History so far", *(s.render() for s in kept)])


def feedback_sections(records: Iterable[CandidateRecord], *, shown: int = 3) -> list[Section]:
    """The run so far as prompt sections, most useful first.

    The best candidates (each with its curves and telling episodes: wrong
    answers at the highest cost, early stops on a wrong consensus), the ideas
    tried and how they fared, recent rejections with their reasons, then the
    best candidate's source.
    """
    records = list(records)
    ranked = sorted((r for r in records if r.ok and r.score is not None), key=lambda r: -(r.score or 0.0))
    out = []
    for r in ranked[:shown]:
        idea = f", idea: {r.proposal.idea}" if r.proposal.idea else ""
        out.append(Section(f"{r.candidate_id} (score {r.score:.3f}, parents {', '.join(r.proposal.parents) or '-'}"
                           f"{idea})", _curve_table(r.points) + "\n" + _telling_traces(r.traces)))
    ideas = [r for r in records if r.proposal.idea]
    if ideas:
        out.append(Section("Ideas tried so far", "\n".join(
            f"- {r.candidate_id} {r.proposal.idea}: "
            + (f"score {r.score:.3f}" if r.ok and r.score is not None else f"rejected ({_reason(r)})")
            for r in ideas)))
    failures = [r for r in records if not r.ok][-shown:]
    if failures:
        lines = []
        for r in failures:
            assert r.failure is not None
            lines.append(f"- {r.candidate_id}: {r.failure.reason}: {r.failure.message}")
            if r.failure.excerpt:
                lines.append("```\n" + r.failure.excerpt[-600:] + "\n```")
        out.append(Section("Recent rejections", "\n".join(lines)))
    if ranked and ranked[0].proposal.source:
        best = ranked[0]
        out.append(Section(f"Source of the best so far ({best.candidate_id})",
                           f"```python\n{best.proposal.source}\n```", quotes=best.proposal.source))
    return out


def _reason(record: CandidateRecord) -> str:
    return record.failure.reason if record.failure else "no score"


def _curve_table(points: Sequence[CurvePoint]) -> str:
    rows = ["| model | beta | accuracy % | avg tokens |", "|---|---|---|---|"]
    rows += [f"| {p.model} | {p.beta:g} | {p.accuracy:.2f} | {p.avg_tokens:,.0f} |"
             for p in sorted(points, key=lambda p: (p.model, p.beta))]
    return "\n".join(rows)


def _telling_traces(traces: Sequence[TraceSummary], count: int = 3) -> str:
    wrong = sorted((t for t in traces if not t.correct), key=lambda t: -t.tokens)[:count]
    early = [t for t in traces if not t.correct and t.stop.startswith("early stop")][:count]
    lines = ["Telling episodes (wrong answers at high cost; early stops on a wrong consensus):"]
    for t in dict.fromkeys(wrong + early):
        lines.append(f"- {t.model} beta={t.beta:g} q{t.question}: opened {t.opened}, pruned {t.pruned}, depth "
                     f"{t.depth}, {t.tokens:,} tokens, {t.stop}, answered {t.answer!r} (wrong)")
    return "\n".join(lines)
