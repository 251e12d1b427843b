"""Evaluation: the seeds protocol, the episode runner, and store-level evaluation.

The re-exported names load on first use, so importing one light part
(``autotts.evaluate.seeds``, say, for ``DEFAULT_SEEDS``) does not load the
store, the controllers and the kernels with it.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DEFAULT_SEEDS",
    "EvalRequest",
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


def __getattr__(name: str) -> Any:
    if name in __all__:
        from autotts.evaluate import api, runner, seeds

        return next(getattr(m, name) for m in (api, runner, seeds) if hasattr(m, name))
    raise AttributeError(f"module 'autotts.evaluate' has no attribute {name!r}")
