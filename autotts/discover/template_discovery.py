"""Discovery with the ``evolve`` template search: search on some questions, pick on others, measure on unseen data.

1. The search benchmark's questions are dealt into folds; the MAP-Elites
   search (:mod:`autotts.discover.search`) replays candidates with the kernel
   on every fold but the last.
2. The finalists (the best candidates of the best behaviour cells, and the
   best start) are rendered to files, checked against the kernel on a whole
   seed, and replayed on every seed on the last fold, which the search never
   scored; the objective's top scorer there among the searched candidates is
   the winner (the start stays beside it, to show whether it was beaten).
3. Only once ``best.py`` is written, the winner and CMC are measured at the
   budget table's token budgets on the pick fold and on every other benchmark
   of the store (held out: nothing before this step reads them).
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from autotts.controllers import build_controller
from autotts.controllers.loading import load_controller_file
from autotts.discover.budgets import BUDGETS, Sweep, budget_table, sweep
from autotts.discover.config import DiscoverConfig
from autotts.discover.genome_evaluation import GenomeEvaluator, evaluation_pool, question_folds, restrict
from autotts.discover.history import CandidateRecord, Failure, History
from autotts.discover.mechanisms.kernel import CompiledTemplate
from autotts.discover.progress import Progress
from autotts.discover.proposers.base import Proposal
from autotts.discover.proposers.evolve import EvolveProposer
from autotts.discover.proposers.template import CMC_GENOME, Genome, render
from autotts.discover.report import sc_reference, summarize_search
from autotts.discover.search import SearchRecord, lineage, load_generations, run_search
from autotts.discover.selection import CurvePoint, Objective, as_curves, compare
from autotts.errors import DiscoveryError
from autotts.evaluate.api import load_matrices
from autotts.files import atomic_write
from autotts.replay.matrix import ReplayMatrix, list_stores
from autotts.store.connection import open_store

__all__ = ["TABLE_BETAS", "discover_by_template", "genome_sweep"]

TABLE_BETAS = tuple(round(0.1 * i, 1) for i in range(11))  # the budget tables' beta grid, for every controller


def discover_by_template(store: str | Path, out: Path, matrices: Sequence[ReplayMatrix], config: DiscoverConfig,
                         breeder: EvolveProposer, goal: Objective, history: History, progress: Progress,
                         started: float) -> tuple[str, dict[str, Any]]:
    """Search, pick and measure; writes ``best.py``, the finalists' files and ``summary.json``; (winner id,
    summary)."""
    sizes = {m.n_questions for m in matrices}
    if len(sizes) != 1:
        raise DiscoveryError(f"the search models answer different numbers of questions ({sorted(sizes)})")
    search_q, pick_q = question_folds(sizes.pop(), config.folds, config.seed)
    searched = [restrict(m, search_q) for m in matrices]
    picking = [restrict(m, pick_q or search_q) for m in matrices]
    resumed = len(load_generations(out))  # a resumed run's speed counts only what it evaluates itself
    cpu = _cpu_seconds()
    search_evaluator = GenomeEvaluator(searched, config.betas, config.search_seeds)
    with evaluation_pool(search_evaluator, config.jobs, config.ray_address) as evaluate:
        search_goal = goal.against(as_curves(search_evaluator.evaluate(CMC_GENOME).points))
        records = run_search(out, generations=config.generations, population=config.population, seed=config.seed,
                             breeder=breeder, evaluate=evaluate, objective=search_goal, progress=progress,
                             on_generation=lambda batch: history.mirror([_candidate(r, config) for r in batch]))
    search_seconds = (time.monotonic() - started, _cpu_seconds() - cpu)
    by_id = {r.candidate_id: r for r in records}
    ok = sorted((r for r in records if r.ok), key=lambda r: (-(r.score or 0.0), r.candidate_id))
    if not ok:
        raise DiscoveryError(f"{out}: no candidate of {len(records)} passed the beta check")
    for generation in _generation_bests(records):
        _write_candidate_files(out, by_id[generation["best"]], config)
    finals: dict[str, tuple[CurvePoint, ...]] = {}
    failed: dict[str, str] = {}
    final_evaluator = GenomeEvaluator(picking, config.betas, config.seeds, checks=0)
    goal = goal.against(as_curves(final_evaluator.evaluate(CMC_GENOME).points))  # CMC on the pick fold's episodes
    for r in choose_finalists(ok, config.finalists):
        path = _write_candidate_files(out, r, config)
        problem = _rendered_file_disagrees(path, r.genome, picking, config.betas)
        result = final_evaluator.evaluate(r.genome)
        if problem or result.failure:
            failed[r.candidate_id] = problem or result.failure or ""
        else:
            finals[r.candidate_id] = result.points
            history.record_points(r.candidate_id, "final", result.points, config.seeds)
    if not finals:
        raise DiscoveryError(f"{out}: every finalist failed on the pick fold: {failed}")
    # the pick fold's top scorer among the searched candidates (a start only if every searched one failed):
    # the run's output is a discovered controller; the best start stays in the table to show what it beat
    order = sorted(finals, key=lambda cid: (by_id[cid].operator.startswith("start"), -goal.score(finals[cid]), cid))
    winner = by_id[order[0]]
    for r in lineage(winner.candidate_id, records):
        _write_candidate_files(out, r, config)
    best = out / "best.py"
    atomic_write(best, (out / "candidates" / winner.candidate_id / "candidate.py").read_text())
    sure = compare(goal, finals[order[0]], finals[order[1]], seed=config.seed) if len(order) > 1 else None

    tables = {"pick fold": _table(best, winner.genome, picking, config)}
    if not config.skip_heldout:  # the first and only read of the held-out benchmarks, after the pick is final
        for benchmark in _other_benchmarks(store, matrices):
            tables[benchmark] = _table(best, winner.genome, load_matrices(store, [m.model for m in matrices],
                                                                          [benchmark]), config)
    summary = summarize_search(
        config=config, records=records, goal=goal, finals=finals, failed=failed, order=order, sure=sure,
        lineage=lineage(winner.candidate_id, records), rounds=_generation_bests(records),
        folds={"search": list(search_q), "pick": list(pick_q)}, tables=tables,
        sc64=sc_reference(picking, config.seeds), search_seconds=search_seconds,
        evaluated=len(records) - resumed,
        episodes_per_candidate=len(config.betas) * config.search_seeds * len(search_q) * len(matrices),
        wall_seconds=time.monotonic() - started)
    atomic_write(out / "summary.json", json.dumps(summary, indent=1))
    return winner.candidate_id, summary


def choose_finalists(ok: Sequence[SearchRecord], count: int) -> list[SearchRecord]:
    """The best candidates of the ``count`` best behaviour cells, one place kept for the best start, so the
    pick compares designs that behave differently and shows whether the search beat what it started from."""
    top: list[SearchRecord] = []
    cells: set[tuple[int, ...] | None] = set()
    for r in ok:
        if r.cell not in cells:
            cells.add(r.cell)
            top.append(r)
        if len(top) == count:
            break
    start = next((r for r in ok if r.operator.startswith("start")), None)
    if count >= 2 and start is not None and start not in top:
        top = [*top[: count - 1], start]
    return top


def genome_sweep(path: Path, genome: Genome, matrices: Sequence[ReplayMatrix], betas: Sequence[float],
                 seeds: int) -> Sweep:
    """The rendered file at ``path`` over ``betas``: the kernel on every seed, checked against the file on
    seed 0."""
    def build(beta: float) -> CompiledTemplate:
        return genome.compiled(load_controller_file(path, {"beta": beta}), beta)

    return sweep(matrices, build, betas, seeds=seeds)


def _table(best: Path, genome: Genome, matrices: Sequence[ReplayMatrix], config: DiscoverConfig) -> dict[str, Any]:
    ours = genome_sweep(best, genome, matrices, TABLE_BETAS, config.seeds)
    cmc = sweep(matrices, lambda beta: build_controller("cmc", {"beta": beta}), TABLE_BETAS, seeds=config.seeds)
    rows = budget_table(ours, cmc, BUDGETS, seed=config.seed)
    return {"questions": matrices[0].n_questions, "models": [m.model for m in matrices],
            "rows": [asdict(r) | {"significant": r.significant} for r in rows]}


def _rendered_file_disagrees(path: Path, genome: Genome, matrices: Sequence[ReplayMatrix],
                             betas: Sequence[float]) -> str | None:
    try:
        genome_sweep(path, genome, matrices, betas, seeds=1)
    except RuntimeError as exc:
        return f"kernel-mismatch: {exc}"
    return None


def _other_benchmarks(store: str | Path, matrices: Sequence[ReplayMatrix]) -> list[str]:
    con = open_store(store, read_only=True)
    try:
        pairs = list_stores(con)
    finally:
        con.close()
    models = {m.model for m in matrices}
    searched = {m.benchmark for m in matrices}
    return sorted({b for m, b in pairs if b not in searched
                   and models <= {mm for mm, bb in pairs if bb == b}})


def _generation_bests(records: Sequence[SearchRecord]) -> list[dict[str, Any]]:
    """Per generation: its size, rejections, and the best candidate so far (what the trajectory replays)."""
    out = []
    best: SearchRecord | None = None
    for generation in sorted({r.generation for r in records}):
        mine = [r for r in records if r.generation == generation]
        for r in mine:
            if r.ok and (best is None or (r.score or 0.0) > (best.score or 0.0)):
                best = r
        out.append({"round": generation, "candidates": len(mine), "rejected": sum(not r.ok for r in mine),
                    "best": best and best.candidate_id, "score": best and round(best.score or 0.0, 4)})
    return out


def _write_candidate_files(out: Path, r: SearchRecord, config: DiscoverConfig) -> Path:
    """A candidate's rendered file and its ``result.json`` (what the report reads), for the few candidates
    a reader looks at (finalists, each generation's best, the winner's lineage); the rest stay data in
    ``generations/``. The rendered file's path."""
    path = out / "candidates" / r.candidate_id / "candidate.py"
    if not path.with_name("result.json").exists():  # written last: a kill in between writes both again
        parents = ", ".join(r.parents) or "no parent"
        source = render(r.genome, f"Candidate {r.candidate_id} of the evolve search ({r.operator}; "
                                  f"parents: {parents}).")
        atomic_write(path, source)
        atomic_write(path.with_name("result.json"), json.dumps(_candidate(r, config, source).to_json()))
    return path


def _candidate(r: SearchRecord, config: DiscoverConfig, source: str | None = None) -> CandidateRecord:
    """A search record as the store's discovery_candidates row: the genome as the proposer's response."""
    proposal = Proposal(source, "evolve", r.parents, response=json.dumps(r.genome.to_json(), sort_keys=True),
                        note=r.operator)
    reason, _, message = (r.failure or "").partition(": ")
    return CandidateRecord(r.candidate_id, r.generation, int(r.candidate_id[-3:]), proposal, None,
                           Failure(reason, message) if r.failure else None, r.points, (), r.score,
                           config.search_seeds)


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the evaluation workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

