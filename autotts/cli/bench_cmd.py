"""``autotts bench``: replay speed on the paper's evaluation matrix."""

from __future__ import annotations

import argparse
import json
import os
import time

from autotts.cli.common import add_store_option, progress_bar, render_table
from autotts.evaluate.api import load_matrices
from autotts.evaluate.bench import run_benchmark


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="measure replay speed on the paper's evaluation matrix")
    add_store_option(parser)
    parser.add_argument("--model", action="append", default=[], help="model to time (repeatable; default all)")
    parser.add_argument("--benchmark", action="append", default=[], help="benchmark (repeatable; default all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--seeds", type=int, default=100, help="branch orders per evaluation (default 100)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    matrices = load_matrices(args.store, args.model, args.benchmark)
    load_seconds = time.perf_counter() - started
    with progress_bar("bench", enabled=not args.json) as on_progress:
        report = run_benchmark(matrices, jobs=args.jobs, seeds=args.seeds, on_progress=on_progress)
    figures = {"load_seconds": round(load_seconds, 2), **report.as_dict()}
    if args.json:
        print(json.dumps(figures))
        return 0
    rows = [
        (c.controller, c.evaluations, c.episodes, round(c.cpu_seconds, 2), round(c.episodes_per_cpu_second))
        for c in report.per_controller
    ]
    print(render_table(["controller", "evaluations", "episodes", "cpu_s", "episodes/s/core"], rows))
    print(
        f"\nstores loaded in {load_seconds:.1f} s"
        f"\nmatrix: {report.matrix_evaluations} evaluations over {report.stores} stores in "
        f"{report.matrix_wall_seconds:.1f} s wall on {report.jobs} processes "
        f"(kernel warm-up {report.warm_up_seconds:.1f} s)"
        f"\nscaling curves (SC/ASC/ESC/Parallel-Probe at k=1..64): {report.curve_evaluations} evaluations in "
        f"{report.curve_wall_seconds:.1f} s"
        f"\nlinearity, {report.linear_controller}: {report.linear_base_seconds:.3f} s on 1 store, "
        f"{report.linear_10x_seconds:.3f} s on a 10x store (ratio {figures['linear_ratio']})"
        f"\npeak memory: {report.peak_rss_mb_parent:.0f} MB parent, {report.peak_rss_mb_worker:.0f} MB largest worker"
    )
    return 0
