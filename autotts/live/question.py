"""One question solved live: the replay engine's actions, answered by a model generating for real.

:class:`LiveQuestion` is a :class:`~autotts.replay.episode.QuestionEngine`, so
a controller gets the very :class:`~autotts.replay.episode.QuestionView` it
gets in replay (typed API and the release's API) and runs unmodified. The
actions follow the rollout protocol that built the replay data, interval by
interval instead of after the fact:

- BRANCH opens a sample and CONTINUE extends it by one ``interval`` of
  sampled tokens, sent as a token-id prompt (chat prompt + the sample so far)
  so the engine's prefix cache serves the prefix. If the sample ends inside
  the interval (end of sequence, or the ``max_tokens`` cap mid-interval), the
  action reveals its final answer; otherwise the same greedy probe the
  rollouts use (answer-forcing suffix, graded extraction) reveals the answer so
  far. After ``max_probes`` probes the next CONTINUE generates to the end.
- READ generates a new sample to its end in one request and reveals its
  final answer. With ``read_ahead`` = n, each READ also starts the next n
  unopened samples' reads, so a controller that reads samples one after
  another (SC, ASC, ESC) has them generated side by side; a read-ahead sample
  the controller never reads is waste, counted in ``speculative_tokens``.
- PRUNE marks a sample: it is never extended again, so it stops generating.

Costs follow the replay rules exactly: an action costs the sampled tokens it
generated (probe tokens are counted apart, as in the published figures), a
finished sample costs nothing more. Gold answers never enter: answers are
canonicalised without them (equivalent answers still vote together) and
graded afterwards by the caller.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

from autotts.errors import LiveError
from autotts.live.generators import Generator
from autotts.replay.episode import TraceEvent
from autotts.rollout.backends.base import Completion, Request
from autotts.rollout.extract import last_boxed, read_open_box
from autotts.rollout.grade import QuestionGrader
from autotts.rollout.protocol import ProbeSuffixes, ProtocolConfig, trace_seed

__all__ = ["GenerationFailed", "LiveQuestion", "OutOfTime", "interval_seed"]


# Hugging Face tokenizers may refuse concurrent use from threads ("Already borrowed"); questions share one.
_TOKENIZER_LOCK = threading.Lock()


class GenerationFailed(LiveError):
    """The backend could not generate (a dead server, a refused request, a crashed engine)."""


class OutOfTime(LiveError):
    """The question's deadline passed, or its run was cancelled: it takes no more actions."""


def interval_seed(sample_seed: int, interval: int) -> int:
    """The sampling seed of a sample's ``interval``-th interval; the first uses the sample's own seed,
    so a live sample's first interval is the rollout trace's first interval."""
    if interval == 0:
        return sample_seed
    digest = hashlib.sha256(f"{sample_seed}:{interval}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


@dataclass(slots=True)
class _Sample:
    seed: int
    ids: list[int] = field(default_factory=list)
    probes: int = 0  # probes revealed (the replay cursor)
    intervals: int = 0  # generation requests made for it
    finished: bool = False
    final: str = ""
    thinking_closed_at: int | None = None


@dataclass(slots=True)
class Usage:
    """Tokens a question spent, split the way the figures report them."""

    sample_tokens: int = 0  # sampled tokens of every sample: the replay cost
    probe_tokens: int = 0  # tokens the probes decoded
    speculative_tokens: int = 0  # sampled by read-ahead for samples the controller never read
    probes: int = 0
    prompt_tokens: int = 0  # prompt tokens sent with every request (chat prompt, prefixes, suffixes)
    cached_tokens: int | None = 0  # of those, served by the prefix cache (None if the engine does not say)
    requests: int = 0

    def add_prompt(self, sent: int, completion: Completion) -> None:
        self.requests += 1
        self.prompt_tokens += sent
        if self.cached_tokens is not None and completion.cached_prompt_tokens is not None:
            self.cached_tokens += completion.cached_prompt_tokens
        else:
            self.cached_tokens = None


class LiveQuestion:
    """The live engine behind one question's view; one controller thread drives it."""

    def __init__(
        self,
        generator: Generator,
        message: str,
        config: ProtocolConfig,
        *,
        question_idx: int = 0,
        deadline: float | None = None,
        read_ahead: int = 0,
    ) -> None:
        """``message``: the user's question, sent with ``config.instruction`` as the rollouts send it;
        ``deadline``: a ``time.monotonic()`` value after which every action raises :class:`OutOfTime`;
        ``read_ahead``: samples to start reading ahead of each READ (0: only what the controller asks)."""
        if read_ahead < 0:
            raise LiveError(f"read_ahead must not be negative, got {read_ahead}")
        self._gen = generator
        self._config = config
        self._question_idx = question_idx
        tok = generator.tokenizer
        with _TOKENIZER_LOCK:
            self._prompt = tuple(tok.chat_prompt(config.user_message(message)))
            self._suffixes = ProbeSuffixes.build(tok, config)
        self._grader = QuestionGrader(None)
        self._max_tokens = self._room(generator.context_limit)
        self._samples: list[_Sample] = []
        self._pruned: set[int] = set()
        self._deadline = deadline
        self._cancelled: str | None = None
        self._read_ahead = read_ahead
        self._ahead: dict[int, Future[Completion]] = {}  # unopened sample -> its read, started early
        self._wasted: list[Future[Completion]] = []
        self.usage = Usage()
        self.events: list[TraceEvent] = []

    # -- the QuestionEngine protocol ---------------------------------------------------

    @property
    def opened(self) -> int:
        return len(self._samples)

    @property
    def pool_size(self) -> int:
        return self._config.samples

    @property
    def total(self) -> int:
        return self.usage.sample_tokens

    def open(self) -> int:
        k = len(self._samples)
        if k >= self._config.samples:
            raise ValueError(f"all {self._config.samples} branches are already open")
        if k in self._ahead:  # read ahead, but opened to be sampled interval by interval instead
            self._wasted.append(self._ahead.pop(k))
        self._samples.append(_Sample(self._seed(k)))
        return k

    def explore(self, k: int, action: str = "continue") -> tuple[str, bool]:
        sample = self._sample(k)
        if k in self._pruned:
            raise ValueError(f"branch {k} was pruned")
        before = len(sample.ids)
        if not sample.finished:
            self._extend(sample)
        cost = len(sample.ids) - before
        answer = sample.final if sample.finished else self._probe(sample)
        self.events.append(TraceEvent(action, k, sample.probes, answer, sample.finished, cost))
        return answer, sample.finished

    def read_whole(self) -> tuple[int, str]:
        early = self._ahead.pop(len(self._samples), None)
        k = self.open()
        sample = self._samples[k]
        for j in range(k + 1, min(k + 1 + self._read_ahead, self._config.samples)):
            if j not in self._ahead:
                self._ahead[j] = self._submit(self._read_request(j))
        request = self._read_request(k)
        self._absorb(sample, request, self._complete(request) if early is None else self._wait(early))
        self._finish(sample)
        self.events.append(TraceEvent("read", k, sample.probes, sample.final, True, len(sample.ids)))
        return k, sample.final

    def prune(self, k: int) -> None:
        sample = self._sample(k)
        self._pruned.add(k)
        self.events.append(TraceEvent("prune", k, sample.probes, None, False, 0))

    # -- what the runner reads afterwards ----------------------------------------------

    @property
    def pruned(self) -> int:
        return len(self._pruned)

    @property
    def sequential_tokens(self) -> int:
        """The longest sample's tokens: the wall-clock cost if samples ran side by side."""
        return max((len(s.ids) for s in self._samples), default=0)

    @property
    def prompt_length(self) -> int:
        return len(self._prompt)

    def sample_lengths(self) -> list[int]:
        return [len(s.ids) for s in self._samples]

    def cancel(self, reason: str) -> None:
        """Refuse every later action (a controller thread cannot be stopped from outside, but it stops
        spending tokens at its next action)."""
        self._cancelled = reason

    def settle(self) -> None:
        """Wait for the reads started ahead that the controller never made, and count what they spent."""
        for future in [*self._ahead.values(), *self._wasted]:
            try:
                completion = future.result()
            except Exception:  # a failed speculative read spent nothing we can count
                continue
            self.usage.speculative_tokens += len(completion.token_ids)
            self.usage.add_prompt(len(self._prompt), completion)
        self._ahead.clear()
        self._wasted.clear()

    # -- generation ----------------------------------------------------------------------

    def _sample(self, k: int) -> _Sample:
        if not 0 <= k < len(self._samples):
            raise ValueError(f"branch {k} was never opened ({len(self._samples)} open)")
        return self._samples[k]

    def _extend(self, sample: _Sample) -> None:
        """One more interval; the rest of the sample once its probes are used up, as replay reveals it."""
        config = self._config
        room = self._max_tokens - len(sample.ids)
        if sample.probes >= config.max_probes or room <= 0:
            if room > 0:
                self._generate(sample, room)
            self._finish(sample)
            return
        ended = self._generate(sample, min(config.interval, room))
        if ended or len(sample.ids) % config.interval:
            self._finish(sample)

    def _generate(self, sample: _Sample, max_tokens: int) -> bool:
        """Extend ``sample`` by up to ``max_tokens`` sampled tokens; True if it reached end of sequence."""
        request = Request(
            self._prompt + tuple(sample.ids),
            max_tokens,
            self._config.temperature,
            interval_seed(sample.seed, sample.intervals),
        )
        return self._absorb(sample, request, self._complete(request))

    def _read_request(self, k: int) -> Request:
        """Sample ``k`` read whole: what READ sends for a fresh sample, read ahead or not."""
        return Request(self._prompt, self._max_tokens, self._config.temperature, self._seed(k))

    def _seed(self, k: int) -> int:
        return trace_seed(self._config.seed, self._question_idx, k)

    def _absorb(self, sample: _Sample, request: Request, completion: Completion) -> bool:
        """Append a completion of ``request`` to ``sample``; True if it reached end of sequence."""
        self.usage.add_prompt(len(request.prompt_ids), completion)
        sample.intervals += 1
        start = len(sample.ids)
        sample.ids.extend(completion.token_ids)
        self.usage.sample_tokens += len(completion.token_ids)
        if sample.thinking_closed_at is None:
            overlap = len(self._suffixes.close_ids) - 1
            sample.thinking_closed_at = self._suffixes.thinking_closed_at(sample.ids, start - overlap)
        return completion.finish_reason == "stop"

    def _probe(self, sample: _Sample) -> str:
        closed = sample.thinking_closed_at is not None
        request = self._suffixes.request(self._prompt, sample.ids, closed=closed, config=self._config)
        completion = self._complete(request)
        self.usage.add_prompt(len(request.prompt_ids), completion)
        self.usage.probe_tokens += len(completion.token_ids)
        self.usage.probes += 1
        sample.probes += 1
        return self._grader.canonical(read_open_box(completion.text))

    def _finish(self, sample: _Sample) -> None:
        sample.finished = True
        with _TOKENIZER_LOCK:
            text = self._gen.tokenizer.decode(sample.ids)
        sample.final = self._grader.canonical(last_boxed(text))

    def _complete(self, request: Request) -> Completion:
        self._check_time()
        try:
            return self._gen.complete(request)
        except Exception as exc:
            raise GenerationFailed(f"question {self._question_idx}: generation failed: {_one_line(exc)}") from exc

    def _submit(self, request: Request) -> Future[Completion]:
        self._check_time()
        try:
            return self._gen.submit(request)
        except Exception as exc:
            raise GenerationFailed(f"question {self._question_idx}: generation failed: {_one_line(exc)}") from exc

    def _wait(self, future: Future[Completion]) -> Completion:
        try:
            return future.result()
        except Exception as exc:
            raise GenerationFailed(f"question {self._question_idx}: generation failed: {_one_line(exc)}") from exc

    def _check_time(self) -> None:
        if self._cancelled is not None:
            raise OutOfTime(f"question {self._question_idx}: {self._cancelled}")
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise OutOfTime(f"question {self._question_idx}: out of time")

    def _room(self, context_limit: int | None) -> int:
        """Sampled tokens a sample may have: ``max_tokens``, less if the model's context would overflow."""
        wanted = self._config.max_tokens
        if context_limit is None:
            return wanted
        probe_room = max(len(self._suffixes.still_thinking), len(self._suffixes.answering))
        room = context_limit - len(self._prompt) - probe_room - self._config.probe_tokens
        if room < 1:
            raise LiveError(
                f"question {self._question_idx}: its prompt ({len(self._prompt)} tokens) and a probe do not fit "
                f"the model's context of {context_limit} tokens"
            )
        return min(wanted, room)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
