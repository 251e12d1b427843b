"""The replay speed benchmark: the paper's evaluation matrix, scaling curves, a 10x store;
and memory and speed on a synthetic store of any size (:func:`run_synthetic`).

Figures, not assertions: ``autotts bench`` prints them as a table or JSON.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from autotts.errors import ConfigError
from autotts.evaluate.api import EvalRequest, evaluate_matrix, evaluate_stores
from autotts.evaluate.chunks import DEFAULT_CHUNK_QUESTIONS
from autotts.evaluate.parallel import EvalConfig, OnProgress, evaluate_configs, shifted
from autotts.replay.matrix import ReplayMatrix
from autotts.results import Evaluation
from autotts.store.synthetic import build_synthetic_store, copy_traces

__all__ = [
    "BenchReport",
    "CallCosts",
    "CommandCPU",
    "ControllerFigures",
    "SyntheticFigures",
    "curve_configs",
    "matrix_configs",
    "measure_call_costs",
    "run_benchmark",
    "run_synthetic",
    "tile_matrix",
]

CMC_BETAS = tuple(round(0.1 * i, 1) for i in range(11))
CURVE_KS = (1, 2, 4, 8, 16, 32, 64)


@dataclass(frozen=True, slots=True)
class ControllerFigures:
    """Speed of one controller family over its evaluations in a run."""

    controller: str
    evaluations: int
    episodes: int
    cpu_seconds: float

    @property
    def episodes_per_cpu_second(self) -> float:
        return self.episodes / self.cpu_seconds if self.cpu_seconds > 0 else float("inf")


@dataclass(frozen=True, slots=True)
class BenchReport:
    stores: int
    jobs: int
    warm_up_seconds: float
    matrix_evaluations: int
    matrix_wall_seconds: float
    per_controller: tuple[ControllerFigures, ...]
    curve_evaluations: int
    curve_wall_seconds: float
    linear_controller: str
    linear_base_seconds: float
    linear_10x_seconds: float
    peak_rss_mb_parent: float
    peak_rss_mb_worker: float

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["per_controller"] = [
            {**asdict(c), "episodes_per_cpu_second": round(c.episodes_per_cpu_second)} for c in self.per_controller
        ]
        out["linear_ratio"] = round(self.linear_10x_seconds / self.linear_base_seconds, 2)
        return out


def matrix_configs() -> list[EvalConfig]:
    """The paper's matrix per store: SC/ASC/ESC/Parallel-Probe @64 and CMC at 11 betas."""
    fixed = [EvalConfig(name, {}) for name in ("sc", "asc", "esc", "parallel-probe")]
    return fixed + [EvalConfig("cmc", {}, beta) for beta in CMC_BETAS]


def curve_configs() -> list[EvalConfig]:
    """Baseline scaling curves: SC/ASC/ESC/Parallel-Probe at k = 1, 2, 4, ..., 64."""
    configs = []
    for k in CURVE_KS:
        configs += [
            EvalConfig("sc", {"k": k}),
            EvalConfig("asc", {"k": k}),
            EvalConfig("esc", {"k": k}),
            EvalConfig("parallel-probe", {"n": k}),
        ]
    return configs


def tile_matrix(matrix: ReplayMatrix, times: int) -> ReplayMatrix:
    """A synthetic store ``times`` larger: the questions repeated ``times`` over."""
    return replace(
        matrix,
        benchmark=f"{matrix.benchmark}x{times}",
        vocab=matrix.vocab * times,
        probes=np.tile(matrix.probes, (times, 1, 1)),
        n_probes=np.tile(matrix.n_probes, (times, 1)),
        branch_tokens=np.tile(matrix.branch_tokens, (times, 1)),
        final_ids=np.tile(matrix.final_ids, (times, 1)),
        gold_ids=np.tile(matrix.gold_ids, times),
        n_branches=np.tile(matrix.n_branches, times),
    )


@dataclass(frozen=True, slots=True)
class CommandCPU:
    """CPU seconds (user + sys) of one command over several runs, each in a new process."""

    least: float
    median: float


@dataclass(frozen=True, slots=True)
class CallCosts:
    """What a person pays per command, from a fresh process.

    ``startup`` is ``autotts --help``; ``eval`` one SC@64 evaluation of one store, start-up included, with
    ``--no-record`` on the store, and ``eval_recorded`` recording (into a copy of that store's traces, so the
    benchmark leaves the store as it was). The three run in turn, ``rounds`` times, so a change in the machine's
    load falls on all of them alike; ``load`` is its 1-minute load average at the end, over ``cores`` cores (CPU
    seconds grow with contention, so a figure means little without it).
    """

    startup: CommandCPU
    eval: CommandCPU
    eval_recorded: CommandCPU
    eval_store: str
    rounds: int
    load: float
    cores: int


def measure_call_costs(store: str | Path, model: str, benchmark: str, *, rounds: int = 3) -> CallCosts:
    """Time ``autotts --help`` and ``autotts eval`` of SC@64 on (model, benchmark), each in a new process."""
    if rounds < 1:
        raise ConfigError(f"rounds must be at least 1, got {rounds}")
    evaluation = ["eval", "--controller", "sc", "--model", model, "--benchmark", benchmark, "--json"]
    with tempfile.TemporaryDirectory(prefix="autotts-bench-") as tmp:
        copy = Path(tmp) / "one-store.duckdb"
        copy_traces(Path(store), copy, model, benchmark)
        commands = (["--help"], [*evaluation, "--store", str(store), "--no-record"],
                    [*evaluation, "--store", str(copy)])
        costs: list[list[float]] = [[] for _ in commands]
        for _ in range(rounds):
            for command, runs in zip(commands, costs, strict=True):
                runs.append(_command_cpu(command))
    startup, plain, recorded = (CommandCPU(min(runs), statistics.median(runs)) for runs in costs)
    return CallCosts(startup, plain, recorded, f"{model}/{benchmark}", rounds, os.getloadavg()[0], os.cpu_count() or 1)


def _command_cpu(arguments: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "autotts", *arguments], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def run_benchmark(
    matrices: Sequence[ReplayMatrix], *, jobs: int, seeds: int = 100, on_progress: OnProgress | None = None
) -> BenchReport:
    """Time the matrix and the curves on ``matrices``; ``on_progress`` counts their evaluations together."""
    matrix_total = len(matrices) * len(matrix_configs())
    total = matrix_total + len(matrices) * len(curve_configs())
    started = time.perf_counter()
    for config in matrix_configs()[:5]:  # one of each kernel: compile or load from cache
        evaluate_matrix(matrices[0], config.controller, config.params, beta=config.beta, seeds=1, trace_seeds=0)
    warm_up = time.perf_counter() - started

    started = time.perf_counter()
    evaluations = evaluate_configs(matrices, matrix_configs(), seeds=seeds, trace_seeds=0, jobs=jobs,
                                   on_progress=shifted(on_progress, 0, total))
    matrix_wall = time.perf_counter() - started

    started = time.perf_counter()
    curves = evaluate_configs(matrices, curve_configs(), seeds=seeds, trace_seeds=0, jobs=jobs,
                              on_progress=shifted(on_progress, matrix_total, total))
    curve_wall = time.perf_counter() - started

    base = matrices[0]
    big = tile_matrix(base, 10)
    linear = EvalConfig("cmc", {}, 0.5)
    timings = []
    for m in (base, big):
        t0 = time.perf_counter()
        evaluate_matrix(m, linear.controller, linear.params, beta=linear.beta, seeds=seeds, trace_seeds=0)
        timings.append(time.perf_counter() - t0)

    return BenchReport(
        stores=len(matrices),
        jobs=jobs,
        warm_up_seconds=warm_up,
        matrix_evaluations=len(evaluations),
        matrix_wall_seconds=matrix_wall,
        per_controller=_per_controller(evaluations),
        curve_evaluations=len(curves),
        curve_wall_seconds=curve_wall,
        linear_controller="cmc(beta=0.5)",
        linear_base_seconds=timings[0],
        linear_10x_seconds=timings[1],
        peak_rss_mb_parent=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        peak_rss_mb_worker=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )


def _per_controller(evaluations: Sequence[Evaluation]) -> tuple[ControllerFigures, ...]:
    groups: dict[str, list[Evaluation]] = defaultdict(list)
    for ev in evaluations:
        groups[ev.controller].append(ev)
    return tuple(
        ControllerFigures(name, len(evs), sum(e.results.episodes for e in evs), sum(e.cpu_seconds for e in evs))
        for name, evs in groups.items()
    )


@dataclass(frozen=True, slots=True)
class SyntheticFigures:
    """Replaying one controller over a synthetic store: its size, speed and peak memory."""

    questions: int
    seeds: int
    chunk_questions: int
    jobs: int
    controller: str
    built_seconds: float | None  # None: an existing synthetic store was reused
    wall_seconds: float
    cpu_seconds: float  # the evaluating process and its workers, user + system
    episodes: int
    peak_rss_mb: float  # the evaluating process
    peak_rss_mb_worker: float | None  # its largest worker process (None: no workers at jobs=1)
    accuracy: float
    avg_tokens: float

    @property
    def episodes_per_second(self) -> float:
        return self.episodes / self.wall_seconds

    @property
    def episodes_per_cpu_second(self) -> float:
        return self.episodes / self.cpu_seconds

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "episodes_per_second": round(self.episodes_per_second),
                "episodes_per_cpu_second": round(self.episodes_per_cpu_second)}


SYNTHETIC_CONTROLLER = EvalConfig("cmc", {}, 0.5)


def run_synthetic(store: Path, questions: int, synthetic: Path, *, seeds: int, jobs: int,
                  chunk_questions: int = DEFAULT_CHUNK_QUESTIONS,
                  on_progress: OnProgress | None = None) -> SyntheticFigures:
    """Build (or reuse) a ``questions``-question store at ``synthetic`` from ``store``'s questions,
    then replay CMC over it in chunks of ``chunk_questions``.

    Building and replaying each run in a child process of their own, so the
    peak memory reported is the replay's alone.
    """
    started = time.perf_counter()
    built = _in_child(build_synthetic_store, store, synthetic, questions)
    built_seconds = time.perf_counter() - started if built else None
    figures = _in_child(_replay_synthetic, synthetic, seeds, jobs, chunk_questions, on_progress)
    return SyntheticFigures(questions=questions, seeds=seeds, chunk_questions=chunk_questions, jobs=jobs,
                            controller=f"{SYNTHETIC_CONTROLLER.controller}(beta={SYNTHETIC_CONTROLLER.beta})",
                            built_seconds=built_seconds, **figures)


def _replay_synthetic(store: Path, seeds: int, jobs: int, chunk_questions: int,
                      on_progress: OnProgress | None) -> dict[str, Any]:
    config = SYNTHETIC_CONTROLLER
    request = EvalRequest(config.controller, config.params, (config.beta,), seeds=seeds, trace_seeds=0)
    wall, cpu = time.perf_counter(), _cpu_seconds()
    [evaluation] = evaluate_stores(store, [request], record=False, jobs=jobs, chunk_questions=chunk_questions,
                                   on_progress=on_progress)
    wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "wall_seconds": wall, "cpu_seconds": cpu, "episodes": evaluation.results.episodes,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_mb_worker": workers or None, "accuracy": evaluation.results.accuracy,
        "avg_tokens": evaluation.results.avg_tokens,
    }


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _in_child(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a forked child process (which may fork workers of its own); its result or its error.

    Forked, so ``args`` need not pickle (a progress callback draws on the same terminal); the result must.
    """
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(writer, fn, args))
    child.start()
    writer.close()
    try:
        ok, value = reader.recv()
    except EOFError:
        child.join()
        raise RuntimeError(f"the benchmark's child process died (exit code {child.exitcode})") from None
    child.join()
    if not ok:
        raise value
    return value


def _child_main(writer: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = (True, fn(*args))
    except BaseException as exc:  # handed to the parent, which raises it there
        result = (False, exc)
    writer.send(result)
