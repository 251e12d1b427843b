"""The rollout protocol of the published replay data, for one question.

Sample ``samples`` full traces with thinking on; cut each trace's token ids
every ``interval`` tokens (at most ``max_probes`` cuts); at each cut ask for the
answer so far by appending a suffix that closes the thinking block and opens
``\\boxed{``, then decoding a few tokens greedily. All probes of a question go
to the backend as one batch of token-id prompts that share the trace prefixes,
so an engine with prefix caching recomputes little. Every trace has its own
seed, derived from (seed, question, branch): a question's traces are the same
whether it runs first, alone, or after a resume.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autotts.errors import RolloutError
from autotts.rollout.backends.base import Backend, ChatTokenizer, Completion, Request
from autotts.rollout.benchmark_file import BenchmarkItem
from autotts.rollout.extract import last_boxed, read_open_box
from autotts.rollout.grade import QuestionGrader
from autotts.store.autotts_json import StoredBranch, StoredQuestion

__all__ = ["ProtocolConfig", "QuestionRollout", "cut_points", "rollout_question", "trace_seed"]


@dataclass(frozen=True, slots=True)
class ProtocolConfig:
    """Everything that decides what a rollout generates; stored with the run and checked on resume."""

    samples: int = 128
    interval: int = 500
    temperature: float = 0.7
    max_tokens: int = 40_000
    seed: int = 0
    max_probes: int = 80  # the release caps probes at 80 x 500 = 40,000 tokens
    probe_tokens: int = 32  # greedy tokens a probe may spend on its answer
    instruction: str = "Please reason step by step, and put your final answer within \\boxed{}."
    think_close: str = "</think>"
    answer_prefix: str = "**Final Answer**\n\\boxed{"

    def __post_init__(self) -> None:
        for name in ("samples", "interval", "max_tokens", "max_probes", "probe_tokens"):
            if getattr(self, name) < 1:
                raise RolloutError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.temperature < 0:
            raise RolloutError(f"temperature must not be negative, got {self.temperature}")
        if not self.answer_prefix.rstrip().endswith("{"):
            raise RolloutError(f"answer_prefix must end by opening a box, got {self.answer_prefix!r}")

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class QuestionRollout:
    """One question's traces and their probe answers, ready for the store."""

    question_idx: int
    item: BenchmarkItem
    prompt_tokens: int
    traces: tuple[Completion, ...]
    seeds: tuple[int, ...]
    stored: StoredQuestion
    probe_prompt_tokens: int
    probe_cached_tokens: int | None
    probe_generated_tokens: int
    seconds: float

    @property
    def generated_tokens(self) -> int:
        return sum(len(t.token_ids) for t in self.traces)


def cut_points(n_tokens: int, interval: int, max_probes: int) -> range:
    """Token counts at which a trace of ``n_tokens`` is probed: every full interval, at most ``max_probes``."""
    return range(interval, min(n_tokens // interval, max_probes) * interval + 1, interval)


def trace_seed(seed: int, question_idx: int, branch_idx: int) -> int:
    """A 31-bit seed per trace (servers differ in the seed widths they accept)."""
    digest = hashlib.sha256(f"{seed}:{question_idx}:{branch_idx}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


def rollout_question(
    backend: Backend, item: BenchmarkItem, question_idx: int, config: ProtocolConfig
) -> QuestionRollout:
    """Sample, cut, probe and grade one question."""
    start = time.perf_counter()
    tok = backend.tokenizer
    message = f"{item.question}\n{config.instruction}" if config.instruction else item.question
    prompt = tuple(tok.chat_prompt(message))
    seeds = tuple(trace_seed(config.seed, question_idx, b) for b in range(config.samples))
    traces = backend.generate([Request(prompt, config.max_tokens, config.temperature, s) for s in seeds])
    probes, owners = _probe_requests(tok, prompt, traces, config)
    answers = backend.generate(probes) if probes else []
    grader = QuestionGrader(item.answer)
    probe_answers: list[list[str]] = [[] for _ in traces]
    for branch, completion in zip(owners, answers, strict=True):
        probe_answers[branch].append(grader.canonical(read_open_box(completion.text)))
    branches = tuple(
        StoredBranch(tuple(p), len(t.token_ids), grader.canonical(last_boxed(t.text)))
        for p, t in zip(probe_answers, traces, strict=True)
    )
    cached = [a.cached_prompt_tokens for a in answers]
    return QuestionRollout(
        question_idx=question_idx,
        item=item,
        prompt_tokens=len(prompt),
        traces=tuple(traces),
        seeds=seeds,
        stored=StoredQuestion(item.question, item.answer, config.interval, branches),
        probe_prompt_tokens=sum(len(r.prompt_ids) for r in probes),
        probe_cached_tokens=None if None in cached else sum(c for c in cached if c is not None),
        probe_generated_tokens=sum(len(a.token_ids) for a in answers),
        seconds=time.perf_counter() - start,
    )


def _probe_requests(
    tok: ChatTokenizer, prompt: tuple[int, ...], traces: Sequence[Completion], config: ProtocolConfig
) -> tuple[list[Request], list[int]]:
    """Probe prompts for every cut of every trace, and the branch each belongs to."""
    close_ids = tok.encode(config.think_close)
    still_thinking = tuple(tok.encode(f"\n{config.think_close}\n\n{config.answer_prefix}"))
    answering = tuple(tok.encode(f"\n\n{config.answer_prefix}"))
    requests: list[Request] = []
    owners: list[int] = []
    for b, trace in enumerate(traces):
        closed_at = _end_of(close_ids, trace.token_ids)
        for cut in cut_points(len(trace.token_ids), config.interval, config.max_probes):
            suffix = answering if closed_at is not None and closed_at <= cut else still_thinking
            requests.append(Request(prompt + trace.token_ids[:cut] + suffix, config.probe_tokens, 0.0, 0))
            owners.append(b)
    return requests, owners


def _end_of(needle: Sequence[int], haystack: Sequence[int]) -> int | None:
    """The index just past the first occurrence of ``needle`` in ``haystack``, or None."""
    n = len(needle)
    if n == 0:
        return None
    first = needle[0]
    for i, token in enumerate(haystack):
        if token == first and tuple(haystack[i : i + n]) == tuple(needle):
            return i + n
    return None
