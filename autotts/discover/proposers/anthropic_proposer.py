"""``anthropic``: Claude models through the ``anthropic`` package.

Model and key come from params, else from ``ANTHROPIC_MODEL`` and the
variable named by ``api_key_env``; ``base_url`` is optional.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from autotts.discover.proposers.base import register_proposer
from autotts.discover.proposers.cache import Completion
from autotts.discover.proposers.llm import LLMProposer

__all__ = ["AnthropicProposer"]


@register_proposer("anthropic")
class AnthropicProposer(LLMProposer):
    package = "anthropic"
    model_env = "ANTHROPIC_MODEL"
    key_env = "ANTHROPIC_API_KEY"

    def connect(self, sdk: ModuleType, api_key: str) -> Any:
        return sdk.Anthropic(base_url=self.base_url, api_key=api_key)

    def complete(self, prompt: str) -> Completion:
        # No temperature: recent Claude models fix their own sampling and the SDK no longer takes it.
        reply = self.client.messages.create(
            model=self.model, max_tokens=self.max_tokens, messages=[{"role": "user", "content": prompt}],
        )
        text = "".join(block.text for block in reply.content if getattr(block, "type", "") == "text")
        return Completion(text, reply.usage.input_tokens, reply.usage.output_tokens)
