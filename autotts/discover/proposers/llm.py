"""What the chat-model proposers share: the prompt, the cache, cost accounting, reading code back.

Each proposal's prompt is the brief (rules, the run's objective, the data's
facts), the run's history, a file to start from and the task. The start is
an elite (a different one per slot, so a round explores several lines) or,
before any candidate has a score, CMC on the mechanism template. The history
comes in whole sections, most useful first; those that do not fit the
prompt budget are left out whole, and a section quoting the very source the
prompt starts from is left out, so no source appears twice. The reply names
its idea on an ``Idea:`` line, kept with the candidate. A reply without a
usable ``python`` block becomes a proposal with no source, which the loop
records as a failed candidate like any other.
"""

from __future__ import annotations

import importlib
import os
import re
from abc import abstractmethod
from types import ModuleType
from typing import Any, ClassVar

from autotts.discover.feedback import Section, fit_sections
from autotts.discover.proposers.base import Proposal, ProposalContext, Proposer, Usage
from autotts.discover.proposers.cache import Completion, ResponseCache
from autotts.discover.proposers.template import CMC_GENOME, render
from autotts.errors import DiscoveryError

__all__ = ["LLMProposer", "extract_code", "extract_idea"]

_BLOCK = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)```", re.DOTALL)
# The rest of the line is taken whole and trimmed in Python: a lazy group before a trailing class of blanks
# backtracked quadratically (a reply's idea line of 10^6 blanks between two words: hours of the parent's CPU).
_IDEA = re.compile(r"^[ \t>*_-]*idea[*_]*[ \t]*:(.*)$", re.IGNORECASE | re.MULTILINE)
IDEA_CHARS = 160
CMC_START = render(CMC_GENOME, "CMC on the mechanism template: the starting point.")

TASK = """Write candidate {number} of {count} for round {round}: change the file above where the history shows it
wasting tokens or answering wrong, or try an idea not tried yet. Begin your reply with one line
`Idea: <a name of a few words>: <one sentence on what changes and why>`, then give the complete file in one
```python block that defines make_controller(beta)."""


def extract_idea(text: str) -> str:
    """The reply's ``Idea:`` line (before its code), trimmed to :data:`IDEA_CHARS`; empty if it names none."""
    head = text.split("```", 1)[0]
    named = (line.group(1).strip(" \t*_").strip() for line in _IDEA.finditer(head))
    return next((idea[:IDEA_CHARS] for idea in named if idea), "")


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
                 temperature: float = 0.7, prompt_chars: int = 60_000) -> None:
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
        self.prompt_chars = int(prompt_chars)  # the history is trimmed, section by section, to keep within this
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
            prompt = self.prompt(context, i, parent)
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
            idea = extract_idea(completion.text)
            note = ("no ```python block defining make_controller() or solve() in the response" if source is None
                    else "" if idea else "the reply named no idea")
            out.append(Proposal(source, self.name, (parent[0],) if parent else (), prompt, completion.text, note,
                                Usage(completion.tokens_in, completion.tokens_out, cost, cached), idea))
        return out

    def prompt(self, context: ProposalContext, slot: int, parent: tuple[str, str, float] | None) -> str:
        """Brief, history (whole sections, as many as the budget allows), the file to start from, the task."""
        if parent is None:
            start = Section("Start from CMC (the paper's controller, written on the mechanism template)",
                            f"```python\n{CMC_START}\n```", quotes=CMC_START)
        else:
            start = Section(f"Start from {parent[0]} (score {parent[2]:.3f})", f"```python\n{parent[1]}\n```",
                            quotes=parent[1])
        task = Section("Your answer", TASK.format(number=slot + 1, count=context.count, round=context.round))
        fixed = [context.brief, "# History so far", start.render(), task.render()]
        room = self.prompt_chars - sum(len(part) + 2 for part in fixed)
        history = fit_sections([s for s in context.sections if s.quotes != start.quotes], room)
        shown = [s.render() for s in history] or ["(nothing yet)"]
        return "\n\n".join([context.brief, "# History so far", *shown, start.render(), task.render()])
