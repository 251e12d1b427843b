"""Generation through any OpenAI-compatible completions server that takes token-id prompts.

vLLM's and SGLang's servers accept ``prompt`` as a list of token ids. The
chat template is applied here, with the model's own tokenizer, so traces are
cut and probed exactly as in-process. Servers that return the completion's
token ids (vLLM's ``return_token_ids``) give exact cuts; for the others the
completion text is re-encoded, which may differ by a token at a boundary.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from autotts.errors import RolloutError
from autotts.rollout.backends.base import ChatTokenizer, Completion, Request
from autotts.rollout.revision import model_revision

__all__ = ["OpenAIBackend"]


class OpenAIBackend:
    """Requests go out one per completion, ``concurrency`` at a time, each with its own seed."""

    def __init__(
        self,
        model: str,
        base_url: str,
        *,
        tokenizer: ChatTokenizer | str | None = None,
        served_model: str | None = None,
        api_key: str | None = None,
        concurrency: int = 64,
        timeout: float | None = None,
        client: Any = None,
    ) -> None:
        try:
            import openai
        except ImportError as exc:
            raise RolloutError("backend 'openai' needs the openai package: pip install 'autotts[openai]'") from exc
        self.client = client or openai.OpenAI(
            base_url=base_url,
            api_key=api_key or os.environ.get("OPENAI_API_KEY", "EMPTY"),
            timeout=openai.NOT_GIVEN if timeout is None else timeout,
        )
        self.served_model = served_model or model
        self.tokenizer = tokenizer if isinstance(tokenizer, ChatTokenizer) else _load_tokenizer(tokenizer or model)
        self.revision = model_revision(tokenizer if isinstance(tokenizer, str) else model)
        self.concurrency = concurrency

    def generate(self, requests: Sequence[Request]) -> list[Completion]:
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            return list(pool.map(self.complete, requests))

    def complete(self, request: Request) -> Completion:
        """One completion; safe to call from many threads at once (the client pools connections)."""
        response = self.client.completions.create(
            model=self.served_model,
            prompt=list(request.prompt_ids),
            max_tokens=request.max_tokens,
            temperature=request.temperature,
            seed=request.seed,
            extra_body={"return_token_ids": True, "skip_special_tokens": False},
        )
        choice = response.choices[0]
        ids = getattr(choice, "token_ids", None)
        token_ids = tuple(ids) if ids is not None else tuple(self.tokenizer.encode(choice.text))
        details = getattr(response.usage, "prompt_tokens_details", None) if response.usage else None
        return Completion(
            token_ids=token_ids,
            text=choice.text,
            finish_reason="length" if choice.finish_reason == "length" else "stop",
            cached_prompt_tokens=getattr(details, "cached_tokens", None),
        )


def _load_tokenizer(name: str) -> ChatTokenizer:
    try:
        from transformers import AutoTokenizer
    except ImportError as exc:
        raise RolloutError(
            "backend 'openai' needs transformers for the chat template: pip install 'autotts[openai]'"
        ) from exc
    return ChatTokenizer(AutoTokenizer.from_pretrained(name))
