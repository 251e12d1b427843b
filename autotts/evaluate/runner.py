"""Running a controller over every (seed, question) episode of a replay matrix."""

from __future__ import annotations

import numpy as np

from autotts.controllers.base import Controller
from autotts.evaluate.results import EpisodeResults
from autotts.evaluate.seeds import branch_order
from autotts.replay.episode import Episode, live_view
from autotts.replay.matrix import ReplayMatrix

__all__ = ["run_episodes"]


def run_episodes(
    matrix: ReplayMatrix, controller: Controller, *, seeds: int, trace_seeds: int = 1
) -> EpisodeResults:
    """Replay ``controller`` on seeds 0..seeds-1 x every question; record traces for the first few seeds.

    Grading happens here, against gold answers the controller never sees.
    """
    n_q = matrix.n_questions
    shape = (seeds, n_q)
    answers = np.empty(shape, dtype=object)
    tokens = np.zeros(shape, dtype=np.int64)
    sequential = np.zeros(shape, dtype=np.int64)
    opened = np.zeros(shape, dtype=np.int32)
    traces = {}
    all_traces = matrix.traces
    for seed in range(seeds):
        record = seed < trace_seeds
        for q, question in enumerate(all_traces):
            episode = Episode(question, branch_order(seed, len(question.finals)), record=record)
            with live_view(episode) as view:
                answers[seed, q] = controller.solve(view)
            tokens[seed, q] = episode.total
            sequential[seed, q] = episode.sequential_tokens
            opened[seed, q] = episode.opened
            if episode.events is not None:
                traces[(seed, q)] = episode.events
    gold = np.array(matrix.gold_answers, dtype=object)
    correct = answers == gold[None, :]
    return EpisodeResults(answers, correct.astype(bool), tokens, sequential, opened, traces)
