"""Evaluation: the seeds protocol, the episode runner, results, and store-level evaluation."""

from autotts.evaluate.api import EvalRequest, evaluate_matrix, evaluate_stores, load_matrices, select_stores
from autotts.evaluate.results import EpisodeResults, Evaluation
from autotts.evaluate.runner import ReplayOutcome, grade, replay_controller, run_episodes
from autotts.evaluate.seeds import DEFAULT_SEEDS, branch_order, branch_orders

__all__ = [
    "DEFAULT_SEEDS",
    "EpisodeResults",
    "EvalRequest",
    "Evaluation",
    "ReplayOutcome",
    "branch_order",
    "branch_orders",
    "evaluate_matrix",
    "evaluate_stores",
    "grade",
    "load_matrices",
    "replay_controller",
    "run_episodes",
    "select_stores",
]
