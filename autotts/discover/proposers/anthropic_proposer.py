"""``anthropic``: Claude models through the ``anthropic`` package.

Model and key come from params, else from ``ANTHROPIC_MODEL`` and the
variable named by ``api_key_env``; ``base_url`` is optional.
"""

from __future__ import annotations

import os
from typing import Any

from autotts.discover.proposers.base import register_proposer
from autotts.discover.proposers.cache import Completion
from autotts.discover.proposers.llm import LLMProposer
from autotts.errors import DiscoveryError

__all__ = ["AnthropicProposer"]


@register_proposer("anthropic")
class AnthropicProposer(LLMProposer):
    def __init__(self, model: str | None = None, base_url: str | None = None,
                 api_key_env: str = "ANTHROPIC_API_KEY", client: Any = None, **pricing: Any) -> None:
        model = model or os.environ.get("ANTHROPIC_MODEL")
        if not model:
            raise DiscoveryError("proposer 'anthropic': no model (give proposer param model= or set ANTHROPIC_MODEL)")
        super().__init__(model, **pricing)
        self.base_url = base_url
        self.api_key_env = api_key_env
        self.client = client

    def complete(self, prompt: str) -> Completion:
        if self.client is None:
            try:
                import anthropic
            except ImportError as exc:
                raise DiscoveryError(
                    "proposer 'anthropic' needs the anthropic package: pip install 'autotts[llm]'") from exc
            self.client = anthropic.Anthropic(base_url=self.base_url, api_key=os.environ.get(self.api_key_env, ""))
        # No temperature: recent Claude models fix their own sampling and the SDK no longer takes it.
        reply = self.client.messages.create(
            model=self.model, max_tokens=self.max_tokens, messages=[{"role": "user", "content": prompt}],
        )
        text = "".join(block.text for block in reply.content if getattr(block, "type", "") == "text")
        return Completion(text, reply.usage.input_tokens, reply.usage.output_tokens)
