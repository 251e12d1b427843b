"""``discover()``: the library face of ``autotts discover``, and what the pipeline stage calls.

It loads the search benchmark only (held-out data never enters a run), sets
up or resumes the run directory, runs the rounds, re-evaluates the finalists
on every seed, picks the winner by the objective with a paired bootstrap
against the runner-up, and writes ``best.py`` and ``summary.json``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from autotts.discover import prompts
from autotts.discover.config import DEFAULT_BETAS, DiscoverConfig
from autotts.discover.distributed import Evaluator, RayEvaluator
from autotts.discover.evaluation import CandidateEvaluator, EvalSettings, Evaluated
from autotts.discover.history import CandidateRecord, History
from autotts.discover.loop import run_rounds
from autotts.discover.progress import Progress
from autotts.discover.proposers import build_proposer
from autotts.discover.proposers.evolve import EvolveProposer
from autotts.discover.report import sc_reference, summarize
from autotts.discover.sandbox import Isolation, SandboxLimits
from autotts.discover.selection import CurvePoint, build_objective, compare, rank_finalists
from autotts.discover.template_discovery import discover_by_template
from autotts.errors import DiscoveryError
from autotts.evaluate.api import load_matrices
from autotts.files import atomic_write

__all__ = ["DEFAULT_BETAS", "DiscoverConfig", "DiscoveryResult", "discover"]



@dataclass(frozen=True)
class DiscoveryResult:
    """Where the winner is, and the run's summary (also in ``out/summary.json``)."""

    best_path: Path
    best_candidate: str
    summary: dict[str, Any]
    report: str


def discover(
    store: str | Path, *, search_benchmark: str, out: str | Path, models: Sequence[str] = (),
    config: DiscoverConfig | None = None, limits: SandboxLimits | None = None, progress: bool = True,
    record: bool = True, **settings: Any,
) -> DiscoveryResult:
    """Discover a controller on ``search_benchmark``; resumes the run in ``out`` if one is there.

    The search is ``config`` (default :class:`DiscoverConfig`) with any ``settings`` given by name replacing
    its values, e.g. ``discover(store, search_benchmark="aime24", out="run", rounds=2)``.
    """
    config = (config or DiscoverConfig()).replace(**settings)
    chosen = build_proposer(config.proposer, config.proposer_params)
    goal = build_objective(config.objective, config.objective_params)
    out = Path(out)
    started = time.monotonic()
    matrices = load_matrices(store, models, [search_benchmark])
    run_config = {"search_benchmark": search_benchmark, "models": [m.model for m in matrices],
                  **config.identity(), "brief": prompts.BRIEF.name}
    run_id = _claim_run_dir(out, run_config)
    history = History.open(out, run_id, Path(store) if record else None)
    history.record_run(run_config, None)
    if isinstance(chosen, EvolveProposer):
        winner, summary = discover_by_template(store, out, matrices, config, chosen, goal, history,
                                               Progress(progress), started)
        history.record_run(run_config, summary)
        return DiscoveryResult(out / "best.py", winner, summary, summary["report"])
    isolation = Isolation.UNSAFE if config.unsafe_no_isolation else Isolation.BUBBLEWRAP
    settings_ = EvalSettings(config.betas, jobs=config.jobs, limits=limits or SandboxLimits(), isolation=isolation)
    build = partial(CandidateEvaluator, matrices, settings_)  # here, or once on each Ray worker
    evaluator = RayEvaluator(build, settings_, config.ray_address) if config.ray_address else build()
    refs = prompts.references(matrices, config.betas, config.search_seeds)
    goal = goal.against(refs.cmc)
    brief = prompts.brief(goal, refs)
    stopped = run_rounds(config, brief, chosen, evaluator, goal, history, Progress(progress))

    ranked = history.ranked()
    if not ranked:
        raise DiscoveryError(f"{out}: no candidate passed the checks in {len(history.records)} tries")
    chosen_finalists = choose_finalists(_distinct(ranked), config.finalists)
    with ThreadPoolExecutor(max_workers=config.jobs) as pool:
        finals = dict(zip([r.candidate_id for r in chosen_finalists],
                          pool.map(lambda r: _final_points(r, evaluator, history, config.seeds), chosen_finalists),
                          strict=True))
    full = {cid: points for cid, points in finals.items() if points}
    if not full:
        raise DiscoveryError(f"{out}: every finalist failed when re-evaluated on {config.seeds} seeds")
    order = rank_finalists(goal, full, seed=config.seed)
    best = history.records[order[0]]
    assert best.proposal.source is not None
    atomic_write(out / "best.py", best.proposal.source)
    sure = compare(goal, full[order[0]], full[order[1]], seed=config.seed) if len(order) > 1 else None
    summary = summarize(
        config=run_config, history=history, goal=goal, full=full, order=order, sure=sure, stopped=stopped,
        sc64=sc_reference(matrices, config.seeds), wall_seconds=time.monotonic() - started,
    )
    atomic_write(out / "summary.json", json.dumps(summary, indent=1))
    history.record_run(run_config, summary)
    return DiscoveryResult(out / "best.py", best.candidate_id, summary, summary["report"])


def choose_finalists(ranked: list[CandidateRecord], count: int) -> list[CandidateRecord]:
    """The ``count`` best by search score, one place kept for the best of the first round.

    Later candidates are picked out of many on few seeds, so their search scores flatter them; replaying
    the first round's best on every seed too shows whether the rounds after it really improved on it.
    """
    top = ranked[:count]
    first = next((r for r in ranked if r.round == 0), None)
    if count >= 2 and first is not None and first.candidate_id not in {r.candidate_id for r in top}:
        top = [*top[: count - 1], first]
    return top


def _distinct(ranked: list[CandidateRecord]) -> list[CandidateRecord]:
    """Candidates with different search results: re-evaluating a behavioural twin as a finalist is wasted."""
    seen: set[tuple] = set()
    out = []
    for r in ranked:
        key = tuple((p.model, p.beta, p.q_correct, p.q_tokens) for p in r.points)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _claim_run_dir(out: Path, config: dict[str, Any]) -> str:
    """Write ``run.json`` for a new run, or check that it matches for a resumed one; the run id."""
    path = out / "run.json"
    if path.exists():
        previous = json.loads(path.read_text())
        changed = [k for k in sorted(set(config) | set(previous)) if config.get(k) != previous.get(k)]
        if changed:
            raise DiscoveryError(f"{out}: holds a run with other settings ({changed[0]}: {previous.get(changed[0])!r} "
                                 f"there, {config.get(changed[0])!r} now); use another --out")
    else:
        atomic_write(path, json.dumps(config, indent=1, sort_keys=True))
    key = json.dumps([str(out.resolve()), config], sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _final_points(record: CandidateRecord, evaluator: Evaluator, history: History,
                  seeds: int) -> tuple[CurvePoint, ...] | None:
    """A finalist's curve on every seed (``None`` if it fails there), kept in ``finalists/`` for resumes."""
    path = history.out / "finalists" / f"{record.candidate_id}.json"
    if path.with_suffix(".failed.txt").exists():
        return None
    if path.exists():
        return tuple(CurvePoint(**{**p, "q_correct": tuple(p["q_correct"]), "q_tokens": tuple(p["q_tokens"])})
                     for p in json.loads(path.read_text()))
    # the time limits were sized for the search seeds; the finalists replay many more
    limits = evaluator.settings.limits.scaled(max(1.0, seeds / max(record.seeds, 1)))
    result: Evaluated = evaluator.evaluate(history.candidate_dir(record.candidate_id) / "candidate.py", seeds,
                                           final=True, limits=limits)
    if result.failure is not None:
        atomic_write(path.with_suffix(".failed.txt"), f"{result.failure.reason}: {result.failure.message}\n")
        return None
    atomic_write(path, json.dumps([asdict(p) for p in result.points]))
    history.record_points(record.candidate_id, "final", result.points, seeds)
    return result.points
