"""What the rollout protocol needs from a generation backend.

The protocol works on token ids (it cuts traces by token count and sends
probes as id prompts so the engine's prefix cache can reuse the trace's KV), so
a backend is a chat tokenizer plus one call: generate completions for a batch
of token-id prompts, each with its own sampling settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Backend", "ChatTokenizer", "Completion", "Request"]


@dataclass(frozen=True, slots=True)
class Request:
    """One completion to generate; ``temperature`` 0 means greedy."""

    prompt_ids: tuple[int, ...]
    max_tokens: int
    temperature: float
    seed: int


@dataclass(frozen=True, slots=True)
class Completion:
    token_ids: tuple[int, ...]
    text: str
    finish_reason: str  # "stop" (end of sequence) or "length" (hit max_tokens)
    cached_prompt_tokens: int | None = None  # prompt tokens served by the prefix cache, if the engine says


class Backend(Protocol):
    """A loaded model: its tokenizer and a batched generate."""

    tokenizer: ChatTokenizer
    revision: str

    def generate(self, requests: Sequence[Request]) -> list[Completion]:
        """One completion per request, in order."""
        ...


class ChatTokenizer:
    """A Hugging Face tokenizer seen through what the protocol uses."""

    def __init__(self, hf_tokenizer: Any) -> None:
        self.hf = hf_tokenizer

    def chat_prompt(self, user_message: str) -> list[int]:
        """The model's chat template around one user turn, generation prompt open, thinking on."""
        text = self.hf.apply_chat_template(
            [{"role": "user", "content": user_message}],
            tokenize=False,
            add_generation_prompt=True,
            enable_thinking=True,
        )
        return self.encode(text)

    def encode(self, text: str) -> list[int]:
        """Ids of ``text`` alone: the chat template already placed every special token it needs."""
        return list(self.hf.encode(text, add_special_tokens=False))

    def decode(self, ids: Sequence[int]) -> str:
        return str(self.hf.decode(list(ids), skip_special_tokens=False))
