"""Check every row of data/reference/reference_semantics.csv against our evaluator.

Usage: python scripts/check_reference.py [--store data/traces.duckdb]

Each row is (model, benchmark, method, accuracy, avg_tokens); ours must give
the same accuracy (to its 2 decimals) and avg tokens within 1 token
(``autotts.paper.PUBLIC_TOLERANCE``). The compiled fast
paths produce the figures; a few sample episodes of each evaluation (or, with
``--trace-seeds N``, the first N seeds) also go through the readable Python
controllers, and any disagreement fails. Prints one line per row and a summary
with the wall and CPU time; exits 1 if any row differs. Ingests the bundled
data first if the store has none.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from autotts.bundled import bundled_files
from autotts.evaluate.api import load_matrices
from autotts.evaluate.parallel import evaluate_configs
from autotts.methods import parse_label
from autotts.paper import PUBLIC_TOLERANCE, public_table
from autotts.replay.matrix import list_stores
from autotts.store.connection import DEFAULT_STORE, open_store
from autotts.store.ingest import ingest_files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument(
        "--trace-seeds",
        type=int,
        default=0,
        help="whole seeds also replayed through the Python controllers and compared (default 0: sample episodes)",
    )
    args = parser.parse_args()
    con = open_store(args.store)
    if not list_stores(con):
        con.close()
        ingest_files(bundled_files(), args.store)
    else:
        con.close()
    public = public_table()
    start = time.perf_counter()
    matrices = load_matrices(args.store)
    labels = sorted({label for _, _, label in public})
    evaluations = evaluate_configs(matrices, [parse_label(label) for label in labels], trace_seeds=args.trace_seeds,
                                   jobs=args.jobs)
    found = {(ev.model, ev.benchmark, label): ev
             for ev, label in zip(evaluations, labels * len(matrices), strict=True)}
    failures = 0
    for (model, benchmark, label), ref in public.items():
        ev = found[(model, benchmark, label)]
        ours = (ev.results.accuracy, ev.results.avg_tokens / 1000)
        ok = all(abs(ours[i] - ref[i]) <= PUBLIC_TOLERANCE[i] for i in (0, 1))
        failures += not ok
        print(
            f"{'ok  ' if ok else 'FAIL'} {model:<11} {benchmark:<7} {label:<17} "
            f"acc {ours[0]:6.2f} (ref {ref[0]:6.2f})  tokens {ev.results.avg_tokens:12.3f} "
            f"(ref {ref[1] * 1000:12.3f})"
        )
    elapsed = time.perf_counter() - start
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)
    print(f"\n{len(public) - failures}/{len(public)} rows reproduced in {elapsed:.1f} s ({cpu:.1f} CPU-s in all)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
