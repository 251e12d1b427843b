"""``openai``: any OpenAI-compatible chat endpoint, through the ``openai`` package.

Base URL, model and key come from params, else from ``OPENAI_BASE_URL``,
``OPENAI_MODEL`` and the variable named by ``api_key_env``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from autotts.discover.proposers.base import register_proposer
from autotts.discover.proposers.cache import Completion
from autotts.discover.proposers.llm import LLMProposer

__all__ = ["OpenAIProposer"]


@register_proposer("openai")
class OpenAIProposer(LLMProposer):
    package = "openai"
    model_env = "OPENAI_MODEL"
    key_env = "OPENAI_API_KEY"
    base_url_env = "OPENAI_BASE_URL"

    def connect(self, sdk: ModuleType, api_key: str) -> Any:
        return sdk.OpenAI(base_url=self.base_url, api_key=api_key)

    def complete(self, prompt: str) -> Completion:
        reply = self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": prompt}], max_tokens=self.max_tokens,
            temperature=self.temperature,
        )
        usage = reply.usage
        return Completion(reply.choices[0].message.content or "", usage.prompt_tokens if usage else 0,
                          usage.completion_tokens if usage else 0)
