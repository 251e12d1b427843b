"""Print a discovery run's winner against CMC at matched token budgets on one benchmark.

Usage:
    python benchmarks/discovery_vs_cmc.py --store data/traces.duckdb --run runs/discover [--benchmark aime25]

Both controllers are swept over beta 0, 0.1, ..., 1 on the same seeds; at
each budget (100k, 150k, 250k, 350k, 500k, 650k tokens) it prints the
model-averaged accuracy each attains (mixing two betas where no single one
costs exactly the budget), the gain and its 95% paired-bootstrap interval
over questions, and whether the interval excludes zero. The winner is
``RUN/best.py``.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from autotts.discover.budgets import render_budget_table
from autotts.discover.versus import winner_vs_cmc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("data/traces.duckdb"))
    parser.add_argument("--run", type=Path, required=True, help="discovery run directory holding best.py")
    parser.add_argument("--benchmark", default="aime25")
    parser.add_argument("--model", action="append", default=[], help="model (repeatable; default all)")
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args()
    summary = args.run / "summary.json"
    if summary.exists():
        data = json.loads(summary.read_text())
        print(f"discovery run {args.run}: winner {data['best_candidate']}, wall time {data['wall_seconds']:.0f}s")
        if "lineage" in data:
            print("lineage: " + " <- ".join(f"{r['candidate']} ({r['operator']})" for r in data["lineage"]))
    started, cpu = time.monotonic(), time.process_time()
    rows = winner_vs_cmc(args.store, args.run, args.benchmark, models=args.model, seeds=args.seeds)
    print(f"\n{args.benchmark}, {args.seeds} seeds: winner vs CMC at matched tokens (model mean, accuracy %)")
    print(render_budget_table(rows))
    ahead = sum(r.gain > 0 for r in rows)
    print(f"\nhigher than CMC at {ahead} of {len(rows)} budgets; significant at "
          f"{sum(r.significant and r.gain > 0 for r in rows)}")
    used = resource.getrusage(resource.RUSAGE_SELF)
    print(f"measured in {time.monotonic() - started:.0f}s wall, {time.process_time() - cpu:.0f}s CPU "
          f"(peak RSS {used.ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
