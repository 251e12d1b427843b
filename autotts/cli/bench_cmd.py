"""``autotts bench``: replay speed on the paper's evaluation matrix, or memory and speed on a synthetic store."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from autotts.cli.common import add_store_option, progress_bar, render_table
from autotts.errors import ConfigError
from autotts.evaluate.api import load_matrices
from autotts.evaluate.bench import CommandCPU, measure_call_costs, run_benchmark, run_synthetic
from autotts.evaluate.chunks import DEFAULT_CHUNK_QUESTIONS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_store_option(parser)
    parser.add_argument("--model", action="append", default=[], help="model to time (repeatable; default all)")
    parser.add_argument("--benchmark", action="append", default=[], help="benchmark (repeatable; default all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--seeds", type=int, default=100, help="branch orders per evaluation (default 100)")
    parser.add_argument("--call-rounds", type=int, default=3, metavar="N",
                        help="runs of each per-command figure (--help, a one-store eval with and without "
                             "recording), in turn; the least and the median are shown (default 3)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--synthetic-questions", type=int, metavar="N",
                        help="instead: replay CMC over a store of N questions repeating every question of --store, "
                             "and report peak memory and episodes/s")
    parser.add_argument("--synthetic-store", type=Path, metavar="PATH",
                        help="where to build the synthetic store, or reuse it (default: a temporary file)")
    parser.add_argument("--chunk-questions", type=int, default=DEFAULT_CHUNK_QUESTIONS, metavar="N",
                        help=f"questions replayed at once per worker (default {DEFAULT_CHUNK_QUESTIONS})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.synthetic_questions is not None:
        return run_synthetic_bench(args)
    started = time.perf_counter()
    matrices = load_matrices(args.store, args.model, args.benchmark)
    load_seconds = time.perf_counter() - started
    calls = measure_call_costs(args.store, matrices[0].model, matrices[0].benchmark, rounds=args.call_rounds)
    with progress_bar("bench", enabled=not args.json) as on_progress:
        report = run_benchmark(matrices, jobs=args.jobs, seeds=args.seeds, on_progress=on_progress)
    figures = {"load_seconds": round(load_seconds, 2), **report.as_dict(), "calls": asdict(calls)}
    if args.json:
        print(json.dumps(figures))
        return 0
    rows = [
        (c.controller, c.evaluations, c.episodes, round(c.cpu_seconds, 2), round(c.episodes_per_cpu_second))
        for c in report.per_controller
    ]
    cpu_per_evaluation = sum(c.cpu_seconds for c in report.per_controller) / report.matrix_evaluations
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
        f"\nper command, from a new process (CPU s, user + sys, least / median of {calls.rounds} rounds at load "
        f"{calls.load:.1f} on {calls.cores} cores): `autotts --help` {_cpu(calls.startup)}; "
        f"`autotts eval --controller sc` (SC@64) on {calls.eval_store} {_cpu(calls.eval_recorded)} recording, "
        f"{_cpu(calls.eval)} with --no-record (matrix above, in-process: {cpu_per_evaluation:.3f} per evaluation)"
    )
    return 0


def _cpu(cost: CommandCPU) -> str:
    return f"{cost.least:.2f} / {cost.median:.2f}"


def run_synthetic_bench(args: argparse.Namespace) -> int:
    if args.synthetic_questions < 1 or args.chunk_questions < 1:
        raise ConfigError("--synthetic-questions and --chunk-questions must be at least 1")
    with tempfile.TemporaryDirectory(prefix="autotts-bench-") as tmp:
        where = args.synthetic_store or Path(tmp) / "synthetic.duckdb"
        with progress_bar("replay", enabled=not args.json, unit="chunk") as on_progress:
            figures = run_synthetic(args.store, args.synthetic_questions, where, seeds=args.seeds, jobs=args.jobs,
                                    chunk_questions=args.chunk_questions, on_progress=on_progress)
    if args.json:
        print(json.dumps(figures.as_dict()))
        return 0
    out = figures.as_dict()
    built = "reused" if figures.built_seconds is None else f"built in {figures.built_seconds:.1f} s"
    worker = "" if figures.peak_rss_mb_worker is None else f", {figures.peak_rss_mb_worker:.0f} MB largest worker"
    print(
        f"synthetic store: {figures.questions} questions repeating those of {args.store} ({built})"
        f"\n{figures.controller}, {figures.seeds} seeds, chunks of {figures.chunk_questions} questions, "
        f"{figures.jobs} processes: {figures.episodes} episodes in {figures.wall_seconds:.1f} s wall, "
        f"{figures.cpu_seconds:.1f} s CPU"
        f"\n{out['episodes_per_second']} episodes/s wall, {out['episodes_per_cpu_second']} per CPU second"
        f"\npeak memory: {figures.peak_rss_mb:.0f} MB replaying process{worker}"
        f"\naccuracy {figures.accuracy:.2f}%, avg tokens {figures.avg_tokens:.0f}"
    )
    return 0
