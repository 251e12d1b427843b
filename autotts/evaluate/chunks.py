"""Replaying a store in bounded chunks of questions, so memory does not grow with the store.

An episode depends only on its question and seed, never on the other
questions loaded beside it, so a store can be loaded and replayed one range
of questions at a time and the per-episode results laid side by side: the
same arrays, and so the same figures, as replaying it whole. What stays in
memory is one batch of chunks (the arrays, their branch orders, the
episodes' scratch) plus the ``[seeds, questions]`` results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from autotts.results import EpisodeResults, Evaluation

__all__ = ["DEFAULT_CHUNK_QUESTIONS", "Chunk", "batches", "concat_results", "merge_evaluations"]

DEFAULT_CHUNK_QUESTIONS = 1000  # ~100 MB of arrays and branch orders per chunk at 128 branches and 100 seeds


@dataclass(frozen=True, slots=True)
class Chunk:
    """Questions ``span`` of the store's (``model``, ``benchmark``)."""

    model: str
    benchmark: str
    span: range


def batches(sizes: Sequence[tuple[str, str, int]], chunk_questions: int, per_batch: int = 1) -> list[list[Chunk]]:
    """Each store cut into chunks of at most ``chunk_questions`` questions, packed into batches in store order.

    A batch holds at most ``per_batch`` chunks' worth of questions, so small
    stores share one batch (one pool of workers for all of them, as before
    chunking) and the chunks of a large store are replayed ``per_batch`` at a
    time, side by side on the workers.
    """
    if chunk_questions < 1:
        raise ValueError(f"chunk_questions must be at least 1, got {chunk_questions}")
    budget = chunk_questions * max(1, per_batch)
    out: list[list[Chunk]] = [[]]
    held = 0
    for model, benchmark, n in sizes:
        for start in range(0, n, chunk_questions):
            span = range(start, min(n, start + chunk_questions))
            if out[-1] and held + len(span) > budget:
                out.append([])
                held = 0
            out[-1].append(Chunk(model, benchmark, span))
            held += len(span)
    return [b for b in out if b]


def concat_results(parts: Sequence[tuple[int, EpisodeResults]]) -> EpisodeResults:
    """Results of consecutive question ranges (each with its first question) as one; traces re-keyed."""
    traces = {(seed, first + q): events for first, r in parts for (seed, q), events in r.traces.items()}
    results = [r for _, r in parts]

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(r, name) for r in results], axis=1)

    return EpisodeResults(joined("answers"), joined("correct"), joined("tokens"), joined("sequential_tokens"),
                          joined("branches_opened"), traces)


def merge_evaluations(parts: Sequence[tuple[int, Evaluation]]) -> Evaluation:
    """One store's evaluation from those of its chunks, in question order (first question, evaluation)."""
    first = parts[0][1]
    assert all(ev.eval_id == first.eval_id for _, ev in parts), "chunks of different evaluations"
    if len(parts) == 1:
        return first
    return replace(first, results=concat_results([(start, ev.results) for start, ev in parts]),
                   cpu_seconds=sum(ev.cpu_seconds for _, ev in parts))
