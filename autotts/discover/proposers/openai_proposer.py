"""``openai``: any OpenAI-compatible chat endpoint, through the ``openai`` package.

Base URL, model and key come from params, else from ``OPENAI_BASE_URL``,
``OPENAI_MODEL`` and the variable named by ``api_key_env``.
"""

from __future__ import annotations

import os
from typing import Any

from autotts.discover.proposers.base import register_proposer
from autotts.discover.proposers.cache import Completion
from autotts.discover.proposers.llm import LLMProposer
from autotts.errors import DiscoveryError

__all__ = ["OpenAIProposer"]


@register_proposer("openai")
class OpenAIProposer(LLMProposer):
    def __init__(self, model: str | None = None, base_url: str | None = None, api_key_env: str = "OPENAI_API_KEY",
                 client: Any = None, **pricing: Any) -> None:
        model = model or os.environ.get("OPENAI_MODEL")
        if not model:
            raise DiscoveryError("proposer 'openai': no model (give proposer param model= or set OPENAI_MODEL)")
        super().__init__(model, **pricing)
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        self.api_key_env = api_key_env
        self.client = client

    def complete(self, prompt: str) -> Completion:
        if self.client is None:
            try:
                import openai
            except ImportError as exc:
                raise DiscoveryError("proposer 'openai' needs the openai package: pip install 'autotts[llm]'") from exc
            self.client = openai.OpenAI(base_url=self.base_url, api_key=os.environ.get(self.api_key_env, ""))
        reply = self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": prompt}], max_tokens=self.max_tokens,
            temperature=self.temperature,
        )
        usage = reply.usage
        return Completion(reply.choices[0].message.content or "", usage.prompt_tokens if usage else 0,
                          usage.completion_tokens if usage else 0)
