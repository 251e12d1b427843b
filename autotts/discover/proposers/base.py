"""The proposer interface and its registry.

A proposer turns what the run has learned so far (a :class:`ProposalContext`)
into candidate controller files (:class:`Proposal`). Proposers are registered
by name and built from string params, so a run's spec can rebuild them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from autotts.discover.feedback import Section
from autotts.errors import ConfigError
from autotts.registry import Registry

__all__ = ["Proposal", "ProposalContext", "Proposer", "Usage", "build_proposer", "register_proposer",
           "registered_proposers"]


@dataclass(frozen=True, slots=True)
class Usage:
    """What one proposal cost: LLM tokens in and out, money, and whether it came from the cache."""

    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    cached: bool = False


@dataclass(frozen=True, slots=True)
class Proposal:
    """A candidate file's source (``None`` if the proposer produced no usable code), with its provenance."""

    source: str | None
    proposer: str
    parents: tuple[str, ...] = ()
    prompt: str = ""
    response: str = ""
    note: str = ""
    usage: Usage = field(default_factory=Usage)
    idea: str = ""  # the change it tries, named in a few words (an LLM's reply says it; shown in the lineage)


@dataclass(frozen=True)
class ProposalContext:
    """Everything a proposer may see when proposing round ``round``; no gold, no held-out data."""

    round: int
    count: int
    seed: int
    brief: str
    feedback: str  # history rendered for a model to read, within a size budget
    elites: Sequence[tuple[str, str, float]]  # (candidate id, source, score), best first
    seen_sources: frozenset[str]
    workdir: Path  # this round's directory (workspaces)
    cache_dir: Path  # the run's LLM response cache
    spent: Callable[[], float]  # money spent so far in the run, including this round's calls
    max_cost: float | None = None
    sections: Sequence[Section] = ()  # the same history as whole sections, most useful first, for a proposer
    # that assembles its own prompt (within its own budget, leaving out a source it already shows)
    isolate_agents: bool = True  # an external agent (the command proposer's) runs jailed: no store, no run_dir
    run_dir: Path | None = None  # the run's directory (hidden from a jailed agent but for its workspace)


class Proposer(ABC):
    """Writes candidate controller files."""

    name: ClassVar[str] = ""

    @abstractmethod
    def propose(self, context: ProposalContext) -> list[Proposal]:
        """``context.count`` proposals (fewer only if the cost budget ran out)."""


_REGISTRY: Registry[type[Proposer]] = Registry("proposer")
register_proposer = _REGISTRY.register


def registered_proposers() -> list[str]:
    return sorted(_REGISTRY.as_dict())


def build_proposer(name: str, params: Mapping[str, Any] | None = None) -> Proposer:
    """The proposer registered as ``name``, built with ``params``."""
    cls = _REGISTRY.get(name)
    try:
        return cls(**dict(params or {}))
    except TypeError as exc:
        raise ConfigError(f"proposer {name!r}: cannot be built with {dict(params or {})}: {exc}") from exc
