"""Evaluating template genomes: the compiled kernel on the search questions, checked against the readable loop.

Template candidates are data, and their code is autotts's own, so they are
replayed in-process by :mod:`autotts.discover.mechanisms.kernel` instead of
in the sandbox that untrusted files go through. Every candidate also replays
a few sampled episodes through the readable loop (the very code its
rendered file holds) and must agree with the kernel on each; finalists are
checked against their rendered files on whole seeds by
:func:`~autotts.evaluate.runner.run_episodes`.

The search benchmark's questions are dealt into folds by a seeded shuffle:
the search scores the questions of all folds but the last, and the
finalists are picked on the last one, which the search never scored.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from autotts.cluster import join_ray
from autotts.discover.mechanisms import Schedule
from autotts.discover.mechanisms.kernel import replay_genome
from autotts.discover.proposers.template import Genome
from autotts.discover.selection import CurvePoint, monotone_violation
from autotts.evaluate.runner import replay_arrays
from autotts.evaluate.seeds import branch_order
from autotts.replay.episode import Episode, live_view
from autotts.replay.matrix import ReplayMatrix
from autotts.rules import TOKEN_TOLERANCE

__all__ = ["GenomeEvaluator", "GenomeResult", "evaluation_pool", "question_folds", "restrict"]


def question_folds(n_questions: int, folds: int, seed: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(search questions, selection questions)``: a seeded deal into ``folds`` folds, the last for selection
    (every question searched when ``folds`` is 1)."""
    order = list(range(n_questions))
    random.Random(f"folds:{seed}").shuffle(order)
    if folds <= 1:
        return tuple(sorted(order)), ()
    chosen = set(order[i] for i in range(n_questions) if i % folds == folds - 1)
    return tuple(q for q in range(n_questions) if q not in chosen), tuple(sorted(chosen))


def restrict(matrix: ReplayMatrix, questions: Sequence[int]) -> ReplayMatrix:
    """``matrix`` with only ``questions`` (in that order): what a search that must not score the others sees."""
    idx = np.asarray(questions, dtype=np.int64)
    return dataclasses.replace(
        matrix, vocab=tuple(matrix.vocab[q] for q in questions), probes=matrix.probes[idx],
        n_probes=matrix.n_probes[idx], branch_tokens=matrix.branch_tokens[idx], final_ids=matrix.final_ids[idx],
        gold_ids=matrix.gold_ids[idx], n_branches=matrix.n_branches[idx])


@dataclass(frozen=True, slots=True)
class GenomeResult:
    """A genome's curve on every search model, or why it was rejected."""

    points: tuple[CurvePoint, ...]
    failure: str | None  # "non-monotone: ..." or "kernel-mismatch: ..."
    episodes: int  # episodes replayed by the kernel


class GenomeEvaluator:
    """Replays genomes on fixed matrices and seeds; holds the gold answers and grades."""

    def __init__(self, matrices: Sequence[ReplayMatrix], betas: Sequence[float], seeds: int, *,
                 tolerance: float = TOKEN_TOLERANCE, checks: int = 4) -> None:
        self.matrices = list(matrices)
        self.betas = tuple(betas)
        self.seeds = seeds
        self.tolerance = tolerance
        self.checks = checks
        self.arrays = [replay_arrays(m, seeds) for m in self.matrices]

    def evaluate(self, genome: Genome) -> GenomeResult:
        """The kernel over every (model, beta, seed, question), graded; sampled episodes checked."""
        points = []
        outputs = {}
        episodes = 0
        for m, (matrix, arrays) in enumerate(zip(self.matrices, self.arrays, strict=True)):
            for beta in self.betas:
                design = genome.at(beta)
                ids, tokens, sequential, opened = replay_genome(arrays, design.choice,
                                                                Schedule.from_lines(design.lines, beta))
                outputs[m, beta] = (ids, tokens, sequential, opened)
                episodes += ids.size
                correct = ids == matrix.gold_ids[None, :]
                points.append(CurvePoint(
                    matrix.model, beta, round(float(correct.mean(axis=1).mean()) * 100, 2), float(tokens.mean()),
                    tuple(correct.mean(axis=0).tolist()), tuple(tokens.mean(axis=0).tolist()),
                    float(opened.mean()), float(sequential.mean())))
        mismatch = self._check(genome, outputs)
        if mismatch:
            return GenomeResult((), f"kernel-mismatch: {mismatch}", episodes)
        bad = monotone_violation(points, self.tolerance)
        return GenomeResult(tuple(points), f"non-monotone: {bad}" if bad else None, episodes)

    def _check(self, genome: Genome, outputs: dict) -> str | None:
        """Replay ``checks`` sampled episodes through the readable loop; where it and the kernel differ."""
        rng = random.Random(genome.key())
        for _ in range(self.checks):
            m, beta = rng.randrange(len(self.matrices)), rng.choice(self.betas)
            seed, q = rng.randrange(self.seeds), rng.randrange(self.matrices[m].n_questions)
            matrix = self.matrices[m]
            traces = matrix.traces[q]
            episode = Episode(traces, branch_order(seed, len(traces.finals)))
            controller = genome.controller(beta)
            with live_view(episode) as view:
                answer = controller.solve(view)
            ids, tokens, sequential, opened = (a[seed, q] for a in outputs[m, beta])
            fast = matrix.vocab[q][ids] if ids >= 0 else None
            if (fast, tokens, sequential, opened) != (answer, episode.total, episode.sequential_tokens, episode.opened):
                return (f"{matrix.model}, beta={beta:g}, seed {seed}, question {q}: kernel {fast!r}/{tokens} tokens, "
                        f"readable loop {answer!r}/{episode.total} tokens")
        return None


_SHARED: GenomeEvaluator | None = None  # the evaluator the forked workers use


def _evaluate_shared(genome: Genome) -> GenomeResult:
    assert _SHARED is not None
    return _SHARED.evaluate(genome)


def _evaluate_chunk(evaluator: GenomeEvaluator, genomes: Sequence[Genome]) -> list[GenomeResult]:
    return [evaluator.evaluate(g) for g in genomes]


@contextmanager
def evaluation_pool(evaluator: GenomeEvaluator, jobs: int, ray_address: str | None = None
                    ) -> Iterator[Callable[[Sequence[Genome]], list[GenomeResult]]]:
    """A ``map(genomes) -> results`` over ``jobs`` forked workers sharing ``evaluator``'s arrays (copy-on-write),
    or over the Ray cluster at ``ray_address`` (the evaluator sent to its object store once).

    The kernel is compiled (or loaded from numba's cache) in the parent first, so every worker starts with it.
    """
    if ray_address:
        ray = join_ray(ray_address, needed_by="--ray-address")
        shared, task = ray.put(evaluator), ray.remote(num_cpus=1)(_evaluate_chunk)
        chunk = 8  # genomes per task: a task's start costs more than one genome's replay

        def spread(genomes: Sequence[Genome]) -> list[GenomeResult]:
            parts = [task.remote(shared, genomes[i:i + chunk]) for i in range(0, len(genomes), chunk)]
            return [r for part in ray.get(parts) for r in part]

        yield spread
        return
    global _SHARED
    _SHARED = evaluator
    try:
        if jobs <= 1:
            yield lambda genomes: [evaluator.evaluate(g) for g in genomes]
            return
        from autotts.discover.proposers.template import CMC_GENOME

        evaluator.evaluate(CMC_GENOME)
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield lambda genomes: pool.map(_evaluate_shared, genomes, chunksize=4)
    finally:
        _SHARED = None
