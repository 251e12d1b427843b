"""A discovery run's winner against CMC at matched token budgets, on any benchmark of a store.

What ``benchmarks/discovery_vs_cmc.py`` prints and the pipeline's report can
show: both controllers swept over :data:`TABLE_BETAS` on the same seeds, the
winner through the genome kernel when it is exactly a template rendering
(checked against the file on seed 0) and otherwise, as any controller file
autotts did not write, in the sandbox (an LLM's or an agent's ``best.py``
imported here read the gold answers: 100% against CMC's 50%).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from autotts.controllers import build_controller
from autotts.discover.budgets import BUDGETS, BudgetRow, budget_table, sweep, sweep_of
from autotts.discover.proposers.template import parse_genome
from autotts.discover.template_discovery import TABLE_BETAS, genome_sweep
from autotts.errors import ConfigError
from autotts.evaluate.api import load_matrices
from autotts.evaluate.seeds import DEFAULT_SEEDS
from autotts.evaluate.untrusted import evaluate_untrusted, read_controller_file

__all__ = ["winner_vs_cmc"]


def winner_vs_cmc(store: str | Path, run: str | Path, benchmark: str, *, models: Sequence[str] = (),
                  seeds: int = DEFAULT_SEEDS, betas: Sequence[float] = TABLE_BETAS,
                  budgets: Sequence[float] = BUDGETS, seed: int = 0) -> list[BudgetRow]:
    """``RUN/best.py`` against CMC on ``benchmark``: model-averaged accuracy at each budget, the gain and its
    95% paired-bootstrap interval over questions."""
    best = Path(run) / "best.py"
    if not best.is_file():
        raise ConfigError(f"{run}: no best.py (is it a discovery run directory?)")
    file = read_controller_file(str(best))
    matrices = load_matrices(store, models, [benchmark])
    genome = parse_genome(file.source) if file.trusted else None
    if genome is not None:
        ours = genome_sweep(best, genome, matrices, betas, seeds)
    else:
        results, _ = evaluate_untrusted(file, matrices, [{"beta": beta} for beta in betas], seeds=seeds,
                                        trace_seeds=0, unsafe_no_isolation=False)
        ours = sweep_of(matrices, betas, results)
    cmc = sweep(matrices, lambda beta: build_controller("cmc", {"beta": beta}), betas, seeds=seeds)
    return budget_table(ours, cmc, budgets, seed=seed)
