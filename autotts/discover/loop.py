"""The discovery loop: propose -> check -> evaluate -> record -> select, round after round.

Resumable by construction: a round's proposals are saved before evaluation
and each candidate's record is written atomically as soon as it is done
(candidates of a round are evaluated ``jobs`` at a time), so a re-run skips
everything already recorded and evaluates the rest of the same proposals.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed

from autotts.discover.config import DiscoverConfig
from autotts.discover.distributed import Evaluator
from autotts.discover.history import (
    CandidateRecord,
    Failure,
    History,
    candidate_id,
    feedback_sections,
    render_feedback,
    source_hash,
)
from autotts.discover.progress import Progress
from autotts.discover.proposers.base import Proposal, ProposalContext, Proposer
from autotts.discover.selection import Objective
from autotts.files import atomic_write

__all__ = ["run_rounds"]


def run_rounds(s: DiscoverConfig, brief: str, proposer: Proposer, evaluator: Evaluator,
               objective: Objective, history: History, progress: Progress) -> str | None:
    """Run (or finish) every round ``s`` asks for, the proposer given ``brief``; why it stopped early, or ``None``."""
    for round_ in range(s.rounds):
        proposals = history.saved_proposals(round_)
        if proposals is None:
            if s.max_cost is not None and history.spent() >= s.max_cost:
                return f"cost budget of {s.max_cost:g} reached after {history.spent():.4f}"
            proposals = proposer.propose(_context(s, brief, round_, history))
            history.save_proposals(round_, proposals)
        todo = [(i, p) for i, p in enumerate(proposals) if candidate_id(round_, i) not in history.records]
        label = f"round {round_ + 1}/{s.rounds}"
        progress.show(label, len(proposals) - len(todo), len(proposals))
        with ThreadPoolExecutor(max_workers=evaluator.settings.jobs) as pool:
            running = [pool.submit(_evaluate, s, round_, i, p, evaluator, objective, history) for i, p in todo]
            for done, future in enumerate(as_completed(running), start=len(proposals) - len(todo) + 1):
                history.record(future.result())
                best = history.ranked()[:1]
                note = f"best {best[0].candidate_id} {best[0].score:.3f}" if best else ""
                progress.show(label, done, len(proposals), note)
        if len(proposals) < s.candidates:
            return f"the proposer stopped early in round {round_} (cost budget {s.max_cost})"
    return None


def _context(s: DiscoverConfig, brief: str, round_: int, history: History) -> ProposalContext:
    ranked = history.ranked()
    return ProposalContext(
        round=round_, count=s.candidates, seed=s.seed, brief=brief,
        feedback=render_feedback(history.records.values(), budget=s.feedback_chars),
        elites=[(r.candidate_id, r.proposal.source or "", r.score or 0.0) for r in ranked[: s.elites]],
        seen_sources=frozenset(r.proposal.source for r in history.records.values() if r.proposal.source),
        workdir=history.out / "rounds" / f"r{round_:02d}", cache_dir=history.out / "llm_cache", spent=history.spent,
        max_cost=s.max_cost, sections=feedback_sections(history.records.values()),
        isolate_agents=not s.unsafe_no_isolation, run_dir=history.out,
    )


def _evaluate(s: DiscoverConfig, round_: int, index: int, proposal: Proposal, evaluator: Evaluator,
              objective: Objective, history: History) -> CandidateRecord:
    cid = candidate_id(round_, index)
    if proposal.source is None:
        failure = Failure("no-code", proposal.note or "the proposer produced no usable code")
        return CandidateRecord(cid, round_, index, proposal, None, failure)
    path = history.candidate_dir(cid) / "candidate.py"
    atomic_write(path, proposal.source)
    result = evaluator.evaluate(path, s.search_seeds)
    score = objective.score(result.points) if result.failure is None else None
    return CandidateRecord(cid, round_, index, proposal, source_hash(proposal.source), result.failure, result.points,
                           result.traces, score, s.search_seeds)
