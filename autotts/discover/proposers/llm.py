"""What the chat-model proposers share: the prompt, the cache, cost accounting, reading code back.

Each proposal's prompt is the brief, the history digest, and one elite parent
to start from (a different one per slot, so a round explores several lines).
A reply without a usable ``python`` block becomes a proposal with no source,
which the loop records as a failed candidate like any other.
"""

from __future__ import annotations

import re
from abc import abstractmethod

from autotts.discover.proposers.base import Proposal, ProposalContext, Proposer, Usage
from autotts.discover.proposers.cache import Completion, ResponseCache

__all__ = ["LLMProposer", "extract_code"]

_BLOCK = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)```", re.DOTALL)


def extract_code(text: str) -> str | None:
    """The longest fenced code block that defines a controller; ``None`` if there is none."""
    blocks = [b for b in _BLOCK.findall(text) if "def make_controller" in b or "def solve" in b]
    return max(blocks, key=len) if blocks else None


class LLMProposer(Proposer):
    """A proposer that asks a chat model; subclasses only implement :meth:`complete`."""

    def __init__(self, model: str, price_in: float = 0.0, price_out: float = 0.0, max_tokens: int = 8000,
                 temperature: float = 0.7) -> None:
        self.model = model
        self.price_in = float(price_in)  # money per million prompt tokens
        self.price_out = float(price_out)  # money per million completion tokens
        self.max_tokens = int(max_tokens)
        self.temperature = float(temperature)

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
