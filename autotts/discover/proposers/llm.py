"""What the chat-model proposers share: the prompt, the cache, cost accounting, reading code back.

Each proposal's prompt is the brief, the history digest, and one elite parent
to start from (a different one per slot, so a round explores several lines).
A reply without a usable ``python`` block becomes a proposal with no source,
which the loop records as a failed candidate like any other.
"""

from __future__ import annotations

import importlib
import os
import re
from abc import abstractmethod
from types import ModuleType
from typing import Any, ClassVar

from autotts.discover.proposers.base import Proposal, ProposalContext, Proposer, Usage
from autotts.discover.proposers.cache import Completion, ResponseCache
from autotts.errors import DiscoveryError

__all__ = ["LLMProposer", "extract_code"]

_BLOCK = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)```", re.DOTALL)


def extract_code(text: str) -> str | None:
    """The longest fenced code block that defines a controller; ``None`` if there is none."""
    blocks = [b for b in _BLOCK.findall(text) if "def make_controller" in b or "def solve" in b]
    return max(blocks, key=len) if blocks else None


class LLMProposer(Proposer):
    """A proposer that asks a chat model through its vendor's SDK.

    Subclasses name the SDK package and the environment variables that fill in
    what params leave out, build the client in :meth:`connect` and send one
    prompt in :meth:`complete`. The client is made on first use, so building a
    proposer (for a run that replays cached replies) needs neither the SDK nor
    a key.
    """

    package: ClassVar[str] = ""  # the SDK module, an optional dependency
    model_env: ClassVar[str] = ""  # names the model when params do not
    key_env: ClassVar[str] = ""  # default variable holding the API key
    base_url_env: ClassVar[str | None] = None  # names the endpoint when params do not (None: SDK default)

    def __init__(self, model: str | None = None, base_url: str | None = None, api_key_env: str | None = None,
                 client: Any = None, price_in: float = 0.0, price_out: float = 0.0, max_tokens: int = 8000,
                 temperature: float = 0.7) -> None:
        self.model = model or os.environ.get(self.model_env, "")
        if not self.model:
            raise DiscoveryError(f"proposer {self.name!r}: no model (give proposer param model= or set "
                                 f"{self.model_env})")
        self.base_url = base_url or (os.environ.get(self.base_url_env) if self.base_url_env else None)
        self.api_key_env = api_key_env or self.key_env
        self.price_in = float(price_in)  # money per million prompt tokens
        self.price_out = float(price_out)  # money per million completion tokens
        self.max_tokens = int(max_tokens)
        self.temperature = float(temperature)
        self._client = client

    @property
    def client(self) -> Any:
        """The SDK client, made on first use."""
        if self._client is None:
            try:
                sdk = importlib.import_module(self.package)
            except ImportError as exc:
                raise DiscoveryError(f"proposer {self.name!r} needs the {self.package} package: "
                                     "pip install 'autotts[llm]'") from exc
            self._client = self.connect(sdk, os.environ.get(self.api_key_env, ""))
        return self._client

    @abstractmethod
    def connect(self, sdk: ModuleType, api_key: str) -> Any:
        """A client of ``sdk`` for ``self.base_url`` with ``api_key``."""

    @abstractmethod
    def complete(self, prompt: str) -> Completion:
        """Send ``prompt`` as one user message; the reply and its token counts."""

    def propose(self, context: ProposalContext) -> list[Proposal]:
        cache = ResponseCache(context.cache_dir)
        out: list[Proposal] = []
        spent = 0.0
        for i in range(context.count):
            if context.max_cost is not None and context.spent() + spent >= context.max_cost:
                break
            parent = context.elites[i % len(context.elites)] if context.elites else None
            prompt = self._prompt(context, i, parent)
            key = cache.key(self.name, self.model, prompt)
            completion = cache.get(key)
            cached = completion is not None
            if completion is None:
                try:
                    completion = self.complete(prompt)
                except Exception as exc:  # an API failure is this candidate's result, not the run's end
                    out.append(Proposal(None, self.name, (), prompt, "", f"API error: {type(exc).__name__}: {exc}"))
                    continue
                cache.put(key, completion)
            cost = (completion.tokens_in * self.price_in + completion.tokens_out * self.price_out) / 1e6
            spent += 0.0 if cached else cost
            source = extract_code(completion.text)
            out.append(Proposal(
                source, self.name, (parent[0],) if parent else (), prompt, completion.text,
                "" if source else "no ```python block defining make_controller() or solve() in the response",
                Usage(completion.tokens_in, completion.tokens_out, cost, cached),
            ))
        return out

    @staticmethod
    def _prompt(context: ProposalContext, slot: int, parent: tuple[str, str, float] | None) -> str:
        parts = [context.brief, context.feedback]
        if parent:
            parts.append(f"## Start from {parent[0]} (score {parent[2]:.3f})\n```python\n{parent[1]}\n```")
        parts.append(f"Write candidate {slot + 1} of {context.count} for round {context.round}.")
        return "\n\n".join(parts)
