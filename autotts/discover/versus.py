"""A discovery run's winner against CMC at matched token budgets, on any benchmark of a store.

What ``benchmarks/discovery_vs_cmc.py`` prints and the pipeline's report can
show: both controllers swept over :data:`TABLE_BETAS` on the same seeds, the
winner through the genome kernel when it is a template file (checked against
the file on seed 0) and through its own ``solve`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from autotts.controllers import build_controller
from autotts.controllers.loading import load_controller_file
from autotts.discover.budgets import BUDGETS, BudgetRow, budget_table, sweep
from autotts.discover.proposers.template import parse_genome
from autotts.discover.template_discovery import TABLE_BETAS, genome_sweep
from autotts.errors import ConfigError
from autotts.evaluate.api import load_matrices
from autotts.evaluate.seeds import DEFAULT_SEEDS

__all__ = ["winner_vs_cmc"]


def winner_vs_cmc(store: str | Path, run: str | Path, benchmark: str, *, models: Sequence[str] = (),
                  seeds: int = DEFAULT_SEEDS, betas: Sequence[float] = TABLE_BETAS,
                  budgets: Sequence[float] = BUDGETS, seed: int = 0) -> list[BudgetRow]:
    """``RUN/best.py`` against CMC on ``benchmark``: model-averaged accuracy at each budget, the gain and its
    95% paired-bootstrap interval over questions."""
    best = Path(run) / "best.py"
    if not best.is_file():
        raise ConfigError(f"{run}: no best.py (is it a discovery run directory?)")
    matrices = load_matrices(store, models, [benchmark])
    genome = parse_genome(best.read_text())
    if genome is not None:
        ours = genome_sweep(best, genome, matrices, betas, seeds)
    else:
        ours = sweep(matrices, lambda beta: load_controller_file(best, {"beta": beta}), betas, seeds=seeds)
    cmc = sweep(matrices, lambda beta: build_controller("cmc", {"beta": beta}), betas, seeds=seeds)
    return budget_table(ours, cmc, budgets, seed=seed)
