"""The evidence behind data/reference/paper_notes.csv: why 4 rows of the paper's Table 1 differ from ours.

Usage: python scripts/paper_evidence.py [--store data/traces.duckdb] [--jobs N]

For each row the notes explain, this replays the method around its published
setting on the row's store and prints every figure beside the paper's:

- Qwen3-4B ASC: caps k = 16..64 against thresholds 0.90..0.97, then every cap
  36..44 at 0.95; a line is marked where all of the row's figures on both
  benchmarks match the paper's to its rounding (only ASC@40 is);
- Qwen3-1.7B Parallel-Probe: each of n, T, patience and warm-up varied alone,
  then T x patience x warm-up near the defaults, marking the closest; then the
  default setting on 10 disjoint sets of 100 seeds (seeds 0..999), which shows
  how far the paper's figures are from seed noise.

Takes about 2 CPU-minutes. Ingests the bundled data first if the store has none.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from autotts.bundled import bundled_files
from autotts.evaluate.api import load_matrices
from autotts.evaluate.parallel import EvalConfig, evaluate_configs
from autotts.paper import PAPER_SEEDS, differs, published_table
from autotts.replay.matrix import ReplayMatrix, list_stores
from autotts.store.connection import DEFAULT_STORE, open_store
from autotts.store.ingest import ingest_files

SEED_BLOCKS = 10
PP_DEFAULTS = {"n": 64, "T": 40, "patience": 7, "warm_up": 15}
PP_ALONE = {"n": [32, 40, 48, 56, 60, 62, 63], "T": [30, 35, 38, 39, 41, 42, 45, 50],
            "patience": [4, 5, 6, 8, 9, 10, 12], "warm_up": [8, 10, 12, 14, 16, 18, 20, 22]}
PP_JOINT = {"T": list(range(36, 51, 2)), "patience": [6, 7, 8], "warm_up": [14, 15, 16]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    args = parser.parse_args()
    con = open_store(args.store)
    try:
        empty = not list_stores(con)
    finally:
        con.close()
    if empty:
        ingest_files(bundled_files(), args.store)
    asc_store = load_matrices(args.store, ["Qwen3-4B"])
    asc = [EvalConfig("asc", {"k": k, "threshold": t})
           for k in (16, 24, 32, 40, 48, 64) for t in (0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97)]
    asc += [EvalConfig("asc", {"k": k, "threshold": 0.95}) for k in range(36, 45) if k != 40]
    print("Qwen3-4B ASC@64: the paper's figures against ASC at other caps and thresholds")
    _sweep(asc_store, "ASC@64", asc, args.jobs)
    pp_store = load_matrices(args.store, ["Qwen3-1.7B"])
    alone = [EvalConfig("parallel-probe", {**PP_DEFAULTS, knob: v}) for knob, vs in PP_ALONE.items() for v in vs]
    joint = [EvalConfig("parallel-probe", {**PP_DEFAULTS, **dict(zip(PP_JOINT, vs, strict=True))})
             for vs in itertools.product(*PP_JOINT.values())]
    print("\nQwen3-1.7B Parallel-Probe@64: one knob at a time, then T x patience x warm-up")
    _sweep(pp_store, "Parallel-Probe@64", [EvalConfig("parallel-probe", PP_DEFAULTS), *alone, *joint], args.jobs)
    print(f"\nQwen3-1.7B Parallel-Probe@64 at its defaults on {SEED_BLOCKS} disjoint sets of {PAPER_SEEDS} seeds")
    _seed_blocks(pp_store, "Parallel-Probe@64", EvalConfig("parallel-probe", PP_DEFAULTS), args.jobs)
    return 0


def _sweep(matrices: Sequence[ReplayMatrix], label: str, configs: Sequence[EvalConfig], jobs: int | None) -> None:
    """One line per config: its figures on each benchmark beside the paper's; ``=`` where all agree."""
    paper = published_table()
    evaluations = evaluate_configs(matrices, configs, seeds=PAPER_SEEDS, jobs=jobs)
    by_config: dict[int, list[str]] = {}
    agrees: dict[int, bool] = {}
    for i, ev in enumerate(evaluations):
        c = i % len(configs)
        ref = paper[(ev.model, ev.benchmark, label)]
        ours = (ev.results.accuracy, ev.results.avg_tokens / 1000)
        agrees[c] = agrees.get(c, True) and not any(differs(ours[f], ref[f], f) for f in (0, 1))
        by_config.setdefault(c, []).append(f"{ev.benchmark} {ours[0]:6.2f}% {ours[1]:7.1f}k "
                                           f"(paper {ref[0]:.1f}% {ref[1]:.1f}k)")
    for c, config in enumerate(configs):
        print(f"  {'=' if agrees[c] else ' '} {_params(config.params):<40} {'   '.join(by_config[c])}")


def _seed_blocks(matrices: Sequence[ReplayMatrix], label: str, config: EvalConfig, jobs: int | None) -> None:
    """The config's accuracy and tokens on seeds 0..99, 100..199, ...: the spread a different seed set gives."""
    paper = published_table()
    for ev in evaluate_configs(matrices, [config], seeds=SEED_BLOCKS * PAPER_SEEDS, jobs=jobs):
        correct = ev.results.correct.reshape(SEED_BLOCKS, PAPER_SEEDS, -1).mean(axis=(1, 2)) * 100
        tokens = ev.results.tokens.reshape(SEED_BLOCKS, PAPER_SEEDS, -1).mean(axis=(1, 2)) / 1000
        ref = paper[(ev.model, ev.benchmark, label)]
        print(f"  {ev.benchmark}: accuracy {_spread(correct, '.2f')} % (paper {ref[0]:.1f}), "
              f"tokens {_spread(tokens, '.1f')} k (paper {ref[1]:.1f})")


def _spread(values: np.ndarray, fmt: str) -> str:
    """``lo-hi (v1 v2 ...)``: the range, then every block's value."""
    every = " ".join(format(v, fmt) for v in values)
    return f"{format(values.min(), fmt)}-{format(values.max(), fmt)} ({every})"


def _params(params: Mapping[str, object]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


if __name__ == "__main__":
    sys.exit(main())
