"""Running a controller live on questions, many at once, and measuring what it cost.

Controllers are synchronous: each question gets a thread that runs a fresh
controller (in this process, or in a sandbox worker for untrusted files: see
:mod:`autotts.live.controllers`) on its own :class:`LiveQuestion`. ``concurrency``
questions run at a time; their requests meet in the generator, where the
engine batches them. A question that fails (the backend died, it ran out of
time, the controller raised) is recorded with its error instead of stopping
the others, so a run never throws away the questions it finished.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from autotts.errors import ConfigError
from autotts.live.controllers import ControllerFailed, LiveController, Solve
from autotts.live.generators import Generator
from autotts.live.question import GenerationFailed, LiveQuestion, OutOfTime
from autotts.replay.episode import TraceEvent
from autotts.rollout.benchmark_file import BenchmarkItem
from autotts.rollout.grade import QuestionGrader
from autotts.rollout.protocol import ProtocolConfig

__all__ = ["LiveRun", "SolvedQuestion", "answered_gold", "new_run_id", "run_live", "solve_question"]


@dataclass(frozen=True, slots=True)
class SolvedQuestion:
    """One question solved live: the controller's answer and everything it spent getting there."""

    question_idx: int
    answer: str | None
    sample_tokens: int  # sampled tokens: what replay charges
    sequential_tokens: int  # the longest sample
    probe_tokens: int  # decoded by probes
    probes: int
    prompt_tokens: int  # sent with every request, before prefix caching
    cached_tokens: int | None  # of those, served from the prefix cache
    branches_opened: int
    branches_pruned: int
    seconds: float  # wall clock, first action to answer
    error: str | None = None  # why there is no answer; None if the controller returned one
    error_kind: str | None = None  # generation | timeout | controller
    events: tuple[TraceEvent, ...] = ()
    speculative_tokens: int = 0  # read ahead for samples the controller never read
    question_id: str | None = None
    correct: bool = False  # set by grading; False when ungraded

    @property
    def tokens_spent(self) -> int:
        """Every token the model generated for this question: samples (read ahead too) and probes."""
        return self.sample_tokens + self.probe_tokens + self.speculative_tokens


def solve_question(
    generator: Generator,
    solve: Solve,
    message: str,
    config: ProtocolConfig,
    *,
    question_idx: int = 0,
    timeout: float | None = None,
    read_ahead: int = 0,
) -> SolvedQuestion:
    """Run the controller side ``solve`` on one question live; failures come back in the result, never raised
    (but a question that cannot start, its prompt too long for the model, raises :class:`LiveError`)."""
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    question = LiveQuestion(
        generator, message, config, question_idx=question_idx, deadline=deadline, read_ahead=read_ahead
    )
    answer: str | None = None
    error: str | None = None
    kind: str | None = None
    try:
        answer = solve(question)
    except OutOfTime as exc:
        error, kind = str(exc), "timeout"
    except GenerationFailed as exc:
        error, kind = str(exc), "generation"
    except ControllerFailed as exc:
        error, kind = f"question {question_idx}: {exc}", "controller"
    except Exception as exc:  # the controller's own failure is this question's result
        error, kind = f"question {question_idx}: controller raised {type(exc).__name__}: {exc}", "controller"
    finally:
        question.cancel("its controller has returned")
    seconds = time.monotonic() - start  # the answer's latency; waiting for unused read-ahead is not part of it
    question.settle()
    usage = question.usage
    return SolvedQuestion(
        question_idx=question_idx,
        answer=None if answer is None else str(answer),
        sample_tokens=usage.sample_tokens,
        sequential_tokens=question.sequential_tokens,
        probe_tokens=usage.probe_tokens,
        probes=usage.probes,
        prompt_tokens=usage.prompt_tokens,
        cached_tokens=usage.cached_tokens,
        branches_opened=question.opened,
        branches_pruned=question.pruned,
        seconds=seconds,
        error=error,
        error_kind=kind,
        events=tuple(question.events),
        speculative_tokens=usage.speculative_tokens,
    )


@dataclass(frozen=True)
class LiveRun:
    """A controller solved a benchmark live: its settings, every question, and the run's figures."""

    run_id: str
    model: str
    benchmark: str
    model_path: str
    model_revision: str
    backend: str
    controller: str
    controller_hash: str
    origin: str  # trusted | sandboxed | unsafe-opt-out: where the controller's code ran
    params: Mapping[str, Any]
    beta: float | None
    config: ProtocolConfig
    concurrency: int
    read_ahead: int  # samples READ starts ahead (0: only what the controller asks for)
    questions: tuple[SolvedQuestion, ...]
    seconds: float  # wall clock of the whole run

    @property
    def errors(self) -> int:
        return sum(q.error is not None for q in self.questions)

    @property
    def accuracy(self) -> float:
        """Percent of questions answered correctly (a failed question counts as wrong)."""
        return 100.0 * sum(q.correct for q in self.questions) / max(1, len(self.questions))

    @property
    def avg_tokens(self) -> float:
        return float(np.mean([q.sample_tokens for q in self.questions])) if self.questions else 0.0

    @property
    def avg_probe_tokens(self) -> float:
        return float(np.mean([q.probe_tokens for q in self.questions])) if self.questions else 0.0

    @property
    def avg_speculative_tokens(self) -> float:
        return float(np.mean([q.speculative_tokens for q in self.questions])) if self.questions else 0.0

    @property
    def tokens_per_second(self) -> float:
        """Generated tokens (samples, read-ahead and probes) per wall-clock second of the run."""
        return sum(q.tokens_spent for q in self.questions) / self.seconds if self.seconds > 0 else 0.0

    def latency(self, percentile: float) -> float:
        """Per-question wall-clock latency at ``percentile`` (0-100), in seconds."""
        if not self.questions:
            return 0.0
        return float(np.percentile([q.seconds for q in self.questions], percentile))

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "model": self.model,
            "benchmark": self.benchmark,
            "backend": self.backend,
            "controller": self.controller,
            "origin": self.origin,
            "beta": self.beta,
            "questions": len(self.questions),
            "concurrency": self.concurrency,
            "read_ahead": self.read_ahead,
            "accuracy": round(self.accuracy, 2),
            "avg_tokens": round(self.avg_tokens, 1),
            "avg_probe_tokens": round(self.avg_probe_tokens, 1),
            "avg_speculative_tokens": round(self.avg_speculative_tokens, 1),
            "tokens_per_s": round(self.tokens_per_second, 1),
            "latency_p50_s": round(self.latency(50), 3),
            "latency_p95_s": round(self.latency(95), 3),
            "seconds": round(self.seconds, 2),
            "errors": self.errors,
        }


def run_live(
    generator: Generator,
    controller: LiveController,
    items: Sequence[BenchmarkItem],
    config: ProtocolConfig,
    *,
    concurrency: int,
    timeout: float | None = None,
    read_ahead: int = 0,
    first_index: int = 0,
) -> tuple[list[SolvedQuestion], float]:
    """Solve and grade every item, ``concurrency`` at a time; (results in item order, wall seconds).

    Each question gets a fresh controller (it may keep per-question state on
    itself); question ``i`` is numbered ``first_index + i``, which seeds its
    samples as in rollouts.
    """
    if concurrency < 1:
        raise ConfigError(f"concurrency must be at least 1, got {concurrency}")
    if read_ahead < 0:
        raise ConfigError(f"read_ahead must not be negative, got {read_ahead}")

    def one(indexed: tuple[int, BenchmarkItem]) -> SolvedQuestion:
        i, item = indexed
        solved = solve_question(
            generator,
            controller.new_solver(),
            item.question,
            config,
            question_idx=first_index + i,
            timeout=timeout,
            read_ahead=read_ahead,
        )
        return replace(solved, question_id=item.id, correct=answered_gold(solved, item.answer))

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="autotts-live") as pool:
        results = list(pool.map(one, enumerate(items)))
    return results, time.monotonic() - start


def answered_gold(solved: SolvedQuestion, gold: str) -> bool:
    """Whether ``solved``'s answer is ``gold``: math-verify's judgement for an answer the model wrote (one its
    actions revealed), exact text for any other, as in replay.

    The controller's own text is never parsed: math-verify runs without a time limit here (see
    :mod:`autotts.rollout.grade`), and an answer such as ``9^{9^{9^{9}}}`` is computed for ever.
    """
    if solved.answer is None:
        return False
    if solved.answer not in {e.answer for e in solved.events}:
        return solved.answer == gold
    return QuestionGrader(gold).is_correct(solved.answer)


def new_run_id() -> str:
    """Live runs are not reproducible to the token, so each gets its own id."""
    return uuid.uuid4().hex[:16]
