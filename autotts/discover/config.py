"""``DiscoverConfig``: every setting of a discovery run, each with its default and its help, written once.

The command line's flags (``autotts discover``), params.yaml's ``discover``
section, the loop's settings and a run's ``run.json`` are all read off this
one frozen dataclass, so a new setting is one :func:`setting` line here and
every face of the tool has it, with the same default.

Settings marked ``resumable`` (how fast, not what) may differ when a run is
resumed; every other one is part of the run's identity in ``run.json``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autotts.errors import SettingError
from autotts.evaluate.seeds import DEFAULT_SEEDS

__all__ = ["DEFAULT_BETAS", "DiscoverConfig", "settings"]

DEFAULT_BETAS = (0.0, 0.25, 0.5, 0.75, 1.0)


def setting(default: Any, help: str, *, minimum: float | None = None, resumable: bool = False) -> Any:
    """A field of :class:`DiscoverConfig`: its default, its one-line help, and the least value it allows.

    Names (``proposer``, ``objective``) are checked where their registries are, when the run is built: this
    module stays free of imports, as params.yaml's loader (part of every pipeline stage) reads it.
    """
    meta = {"help": help, "minimum": minimum, "resumable": resumable}
    if isinstance(default, Mapping):
        return dataclasses.field(default_factory=lambda: dict(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class DiscoverConfig:
    """How a discovery run searches: rounds, proposer, objective, seeds, finalists, spending, parallelism."""

    rounds: int = setting(8, "proposal rounds of file-writing proposers (LLMs, commands)", minimum=1)
    candidates: int = setting(8, "candidates proposed per round by file-writing proposers", minimum=1)
    proposer: str = setting("evolve", "who writes the candidates (evolve needs no LLM)")
    proposer_params: Mapping[str, Any] = setting({}, "proposer option (model, temperature, command, ...)")
    betas: tuple[float, ...] = setting(DEFAULT_BETAS, "the beta sweep every candidate is scored over")
    objective: str = setting("worst_gain", "how a candidate's curve is scored")
    objective_params: Mapping[str, Any] = setting({}, "objective option")
    seed: int = setting(0, "proposer seed")
    search_seeds: int = setting(10, "replay seeds (branch orders) per candidate during the rounds", minimum=1)
    seeds: int = setting(DEFAULT_SEEDS, "replay seeds for re-evaluating the finalists", minimum=1)
    finalists: int = setting(4, "best distinct candidates re-evaluated on every seed", minimum=1)
    elites: int = setting(4, "best candidates shown to the proposer each round", minimum=0)
    feedback_chars: int = setting(12_000, "characters of history feedback given to the proposer", minimum=0)
    max_cost: float | None = setting(None, "stop cleanly once proposer spending (USD) reaches this", minimum=0)
    generations: int = setting(24, "evolve: generations of the template search (replayed by the compiled kernel)",
                               minimum=1)
    population: int = setting(128, "evolve: candidates bred per generation", minimum=1)
    folds: int = setting(3, "the search benchmark's questions are dealt into this many folds: the search scores all "
                            "but the last, the finalists are picked on the last (1: no held-back fold)", minimum=1)
    skip_heldout: bool = setting(False, "do not measure the winner against CMC at matched token budgets on the "
                                        "store's other benchmarks after the pick (nothing reads them before it)",
                                 resumable=True)
    jobs: int = setting(2, "candidate evaluations at once", minimum=1, resumable=True)
    unsafe_no_isolation: bool = setting(
        False, "run candidates autotts did not write, and the command proposer's agent, WITHOUT OS isolation (where "
        "bubblewrap cannot run): they could read or change anything you can; still accounted and verified",
        resumable=True)
    ray_address: str | None = setting(None, "evaluate the candidates on this Ray cluster (HOST:PORT, or auto); "
                                            "the search itself stays here", resumable=True)

    def __post_init__(self) -> None:
        betas = tuple(sorted({float(b) for b in self.betas}))
        if not betas or any(not 0.0 <= b <= 1.0 for b in betas):
            raise SettingError("betas", f"must be values in [0, 1], got {list(self.betas)}")
        object.__setattr__(self, "betas", betas)
        for field in settings():
            value, least = getattr(self, field.name), field.metadata["minimum"]
            if isinstance(value, Mapping):  # a copy: the caller's dict may change later
                object.__setattr__(self, field.name, dict(value))
            if least is not None and value is not None and value < least:
                raise SettingError(field.name, f"must be at least {least:g}, got {value:g}")

    def replace(self, **changes: Any) -> DiscoverConfig:
        """This config with the named settings changed; an unknown name raises :class:`SettingError`."""
        names = {f.name for f in settings()}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise SettingError(unknown[0], f"not a discovery setting (known: {', '.join(sorted(names))})")
        return dataclasses.replace(self, **changes)

    def identity(self) -> dict[str, Any]:
        """The settings that decide what a run computes, as JSON values (``run.json``'s part from here)."""
        return {f.name: _json(getattr(self, f.name)) for f in settings() if not f.metadata["resumable"]}



def settings() -> tuple[dataclasses.Field[Any], ...]:
    """Every setting, in declaration order, with its ``help``/``choices``/``minimum``/``resumable`` metadata."""
    return dataclasses.fields(DiscoverConfig)


def _json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return list(value)
    return value
