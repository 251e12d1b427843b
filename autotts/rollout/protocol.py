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

__all__ = ["ProbeSuffixes", "ProtocolConfig", "QuestionRollout", "cut_points", "rollout_question", "trace_seed"]


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

    def user_message(self, question: str) -> str:
        """The user turn the model sees: the question, then the instruction (if any)."""
        return f"{question}\n{self.instruction}" if self.instruction else question


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
    prompt = tuple(tok.chat_prompt(config.user_message(item.question)))
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
    suffixes = ProbeSuffixes.build(tok, config)
    requests: list[Request] = []
    owners: list[int] = []
    for b, trace in enumerate(traces):
        closed_at = suffixes.thinking_closed_at(trace.token_ids)
        for cut in cut_points(len(trace.token_ids), config.interval, config.max_probes):
            closed = closed_at is not None and closed_at <= cut
            requests.append(suffixes.request(prompt, trace.token_ids[:cut], closed=closed, config=config))
            owners.append(b)
    return requests, owners


@dataclass(frozen=True, slots=True)
class ProbeSuffixes:
    """The answer-forcing suffixes of one tokenizer, and the probe request they make at a cut.

    A trace still thinking at the cut gets its thinking block closed first; one
    that already closed it only gets the answer opener. Rollouts probe finished
    traces at every cut, live questions probe the trace generated so far: both
    build the probe here, so replay and live ask the same question.
    """

    close_ids: tuple[int, ...]
    still_thinking: tuple[int, ...]
    answering: tuple[int, ...]

    @classmethod
    def build(cls, tok: ChatTokenizer, config: ProtocolConfig) -> ProbeSuffixes:
        return cls(
            close_ids=tuple(tok.encode(config.think_close)),
            still_thinking=tuple(tok.encode(f"\n{config.think_close}\n\n{config.answer_prefix}")),
            answering=tuple(tok.encode(f"\n\n{config.answer_prefix}")),
        )

    def thinking_closed_at(self, trace_ids: Sequence[int], start: int = 0) -> int | None:
        """Where the thinking block's close ends in ``trace_ids`` (searched from ``start``), or None."""
        needle = self.close_ids
        n = len(needle)
        if n == 0:
            return None
        first = needle[0]
        for i in range(max(0, start), len(trace_ids)):
            if trace_ids[i] == first and tuple(trace_ids[i : i + n]) == needle:
                return i + n
        return None

    def request(
        self, prompt: Sequence[int], trace_ids: Sequence[int], *, closed: bool, config: ProtocolConfig
    ) -> Request:
        """The greedy probe of a trace cut after ``trace_ids``; ``closed``: its thinking ended before the cut."""
        suffix = self.answering if closed else self.still_thinking
        return Request((*prompt, *trace_ids, *suffix), config.probe_tokens, 0.0, 0)
