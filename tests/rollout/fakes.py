"""A deterministic stand-in for a generation backend, one character per token.

Traces are drawn from a ``random.Random`` seeded by the request's seed, so the
same seed gives the same trace; probes answer from the prompt's length in tens, so
different cuts give different (and sometimes equivalent) answers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from autotts.rollout.backends.base import ChatTokenizer, Completion, Request

PROBE_ANSWERS = ["1/2}", "0.5}", "7}", "\\frac{1}{2}}", "oops"]  # "oops" never closes the box: ERR


class CharTokenizer:
    """The slice of a Hugging Face tokenizer that ChatTokenizer calls."""

    def apply_chat_template(self, messages: list[dict[str, str]], **kwargs: Any) -> str:
        assert kwargs["enable_thinking"] is True and kwargs["add_generation_prompt"] is True
        return f"<user>{messages[0]['content']}</user><think>"

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return [ord(c) for c in text]

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        return "".join(chr(i) for i in ids)


class FakeBackend:
    revision = "fake-rev"

    def __init__(self, fail_after: int | None = None) -> None:
        self.tokenizer = ChatTokenizer(CharTokenizer())
        self.requests: list[Request] = []
        self.trace_batches = 0
        self.fail_after = fail_after  # raise on this many-th batch of traces, as a crash would

    def generate(self, requests: Sequence[Request]) -> list[Completion]:
        self.requests.extend(requests)
        if requests[0].temperature > 0:
            if self.fail_after is not None and self.trace_batches == self.fail_after:
                raise KeyboardInterrupt("killed")
            self.trace_batches += 1
            return [self._trace(r) for r in requests]
        return [self._probe(r) for r in requests]

    def _trace(self, request: Request) -> Completion:
        rng = random.Random(request.seed)
        body = "".join(rng.choice("abc xyz") for _ in range(rng.randint(5, request.max_tokens - 20)))
        text = (body + "</think>The answer is \\boxed{" + rng.choice(["7", "0.5", "1/2"]) + "}")[: request.max_tokens]
        return Completion(tuple(ord(c) for c in text), text, "stop" if len(text) < request.max_tokens else "length")

    def _probe(self, request: Request) -> Completion:
        text = PROBE_ANSWERS[len(request.prompt_ids) // 10 % len(PROBE_ANSWERS)][: request.max_tokens]
        return Completion(tuple(ord(c) for c in text), text, "length", cached_prompt_tokens=len(request.prompt_ids) - 9)
