"""The search space of the ``evolve`` search: genomes over the mechanism template.

A :class:`Genome` picks one variant per mechanism slot of
:mod:`autotts.discover.mechanisms` and gives every numeric knob its value at
beta = 0 and at beta = 1 (the knob is the line between them, rounded and
clamped, so it is monotone in beta). :func:`render` turns a genome into a
self-contained controller file assembled from the mechanisms' source;
:func:`parse_genome` reads the genome back. A spliced genome joins two
designs at a beta: its own below it, a second one from it on, so the two
ends of the accuracy-cost curve can be bred separately. The starting designs are CMC
(exactly), the paper's baselines SC, ASC, ESC and Parallel-Probe, and a
hand-made length race.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from autotts.discover.mechanisms import (
    SLOTS,
    DiscoveredController,
    KnobSpec,
    Schedule,
    build_mechanisms,
    read_choice,
    render_file,
)

if TYPE_CHECKING:
    from autotts.controllers.base import Controller
    from autotts.discover.mechanisms.kernel import CompiledTemplate

__all__ = ["CMC_GENOME", "INT_KNOBS", "KNOBS", "RACE_GENOME", "SLOTS", "STARTS", "VARIANT_DEFAULTS", "Genome",
           "KnobSpec", "parse_genome", "render", "switch_variant"]

KNOBS: Mapping[str, KnobSpec] = MappingProxyType({f.name: f.metadata["knob"] for f in fields(Schedule)})
INT_KNOBS = frozenset(f.name for f in fields(Schedule) if f.type == "int")


@dataclass(frozen=True, slots=True)
class Genome:
    """One point of the search space: a variant per slot, (value at beta 0, value at beta 1) per knob, and
    optionally a splice: ``(beta, high)``, where from that beta on the plain genome ``high`` runs instead.

    ``choice`` and ``lines`` are the design below the splice (the whole range when there is none); what runs
    at a beta is :meth:`at`.
    """

    mechanisms: tuple[tuple[str, str], ...]
    knobs: tuple[tuple[str, float, float], ...]
    splice: tuple[float, Genome] | None = None

    @classmethod
    def build(cls, mechanisms: Mapping[str, str], knobs: Mapping[str, tuple[float, float]]) -> Genome:
        """A genome from slot -> variant and knob -> line, checked against the template."""
        for slot in SLOTS:
            if mechanisms.get(slot) not in SLOTS[slot]:
                raise ValueError(f"genome: slot {slot!r} needs one of {', '.join(SLOTS[slot])}, "
                                 f"got {mechanisms.get(slot)!r}")
        missing = [k for k in KNOBS if k not in knobs]
        unknown = [k for k in mechanisms if k not in SLOTS] + [k for k in knobs if k not in KNOBS]
        if missing or unknown:
            raise ValueError(f"genome: knob {missing[0]!r} missing" if missing else f"genome: unknown {unknown[0]!r}")
        return cls(tuple((slot, mechanisms[slot]) for slot in SLOTS),
                   tuple((k, float(knobs[k][0]), float(knobs[k][1])) for k in KNOBS))

    @property
    def choice(self) -> dict[str, str]:
        return dict(self.mechanisms)

    @property
    def lines(self) -> dict[str, tuple[float, float]]:
        return {k: (a, b) for k, a, b in self.knobs}

    @property
    def low(self) -> Genome:
        """The plain design below the splice."""
        return dataclasses.replace(self, splice=None) if self.splice else self

    def at(self, beta: float) -> Genome:
        """The plain design that runs at ``beta``."""
        return self.splice[1] if self.splice and beta >= self.splice[0] else self.low

    def spliced(self, beta: float, high: Genome) -> Genome:
        """This genome's design below ``beta``, ``high``'s (as it runs at beta 1) from ``beta`` on."""
        if not 0.0 < beta < 1.0:
            raise ValueError(f"genome: a splice needs a beta inside (0, 1), got {beta}")
        return dataclasses.replace(self.low, splice=(float(beta), high.at(1.0)))

    def controller(self, beta: float) -> DiscoveredController:
        """The readable controller at ``beta`` (what the rendered file's ``make_controller`` builds)."""
        design = self.at(beta)
        return DiscoveredController(beta, design.lines, build_mechanisms(design.choice))

    def compiled(self, readable: Controller, beta: float) -> CompiledTemplate:
        """``readable`` (this genome's rendered file, loaded at ``beta``) with, as its fast path, the kernel of the
        design that runs at ``beta``: one place picks the side of a splice for every caller."""
        from autotts.discover.mechanisms.kernel import CompiledTemplate  # numba: loaded only where a kernel runs

        design = self.at(beta)
        return CompiledTemplate(readable, design.choice, design.lines, beta)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mechanisms": self.choice, "knobs": {k: [a, b] for k, a, b in self.knobs}}
        if self.splice:
            data["splice"] = {"beta": self.splice[0], "high": self.splice[1].to_json()}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Genome:
        knobs = {k: (float(v[0]), float(v[1])) for k, v in data["knobs"].items()}
        genome = cls.build({k: str(v) for k, v in data["mechanisms"].items()}, knobs)
        splice = data.get("splice")
        return genome.spliced(float(splice["beta"]), cls.from_json(splice["high"])) if splice else genome

    def key(self) -> str:
        """Equal for equal genomes, whether a knob was written as ``2`` or read back as ``2.0``."""
        return json.dumps(self.to_json(), sort_keys=True)


# Lines of the knobs a design leaves unset, and of those its variants do not read (a switch to a
# variant that reads one starts here).
_UNREAD: dict[str, tuple[float, float]] = {
    "n_init": (2, 8), "max_branches": (4, 64), "warm_up": (0, 0), "min_complete": (2, 2), "max_complete": (64, 64),
    "patience": (8, 8), "min_kept": (2, 2), "prune_conf": (0.0, 0.0), "prune_after": (0, 0),
    "length_ratio": (2.0, 2.0), "t_ema": (2, 8), "alpha": (0.7, 0.3), "conf_thresh": (0.85, 0.97),
    "delta_slack": (0.04, 0.01), "burst": (1, 1), "widen_burst": (1, 4), "trend_thresh": (0.04, 0.01),
    "probe_weight": (0.3, 0.3), "stable_steps": (0, 0), "length_power": (1.0, 1.0), "focus": (64, 64),
    "window": (8, 8), "consensus_share": (0.8, 0.8), "consistency_power": (1.0, 1.0), "settle_probes": (8, 8),
    "split_after": (6, 6), "split_conf": (0.6, 0.6),
}
_PLAIN = {"opening": "probe", "tally": "completed", "depth": "uniform", "dissent": "off", "overlong": "off",
          "settle": "off", "stop": "raw", "widen": "none", "answer": "completed", "split": "off"}


def _design(mechanisms: Mapping[str, str], **lines: tuple[float, float]) -> Genome:
    return Genome.build({**_PLAIN, **mechanisms}, {**_UNREAD, **lines})


# CMC (docs/CONTROLLERS.md), exactly: the template's loop with CMC's variants and knob lines.
CMC_GENOME = _design(
    {"tally": "completed", "depth": "most_invested", "dissent": "patience", "stop": "ema", "widen": "flat_trend"},
    n_init=(2, 8), max_branches=(4, 64), warm_up=(2, 10), patience=(3, 12), min_kept=(2, 2), t_ema=(2, 8),
    alpha=(0.7, 0.3), conf_thresh=(0.85, 0.97), delta_slack=(0.04, 0.01), burst=(1, 3), widen_burst=(1, 4),
    trend_thresh=(0.04, 0.01), min_complete=(2, 5), max_complete=(64, 64),
)

# A length race, found by hand on the AIME24 search stores: keep n_init traces generating side by side,
# replacing each one that finishes, prune a branch only after it disagreed with the leader for a long
# time, and stop once the finished answers agree with Beta confidence conf_thresh. Branches started
# together finish in order of length, and short reasoning traces are the more often right, so the pool
# is biased toward them. trend_thresh turns positive near beta 0.7: from there on it also widens early
# the way CMC does, and prunes dissenters sooner (patience falls with beta). Above beta ~0.85,
# prune_conf passes 0.5 and pruning pauses while the two leading answers are tied.
RACE_GENOME = _design(
    {"depth": "uniform", "dissent": "patience", "stop": "raw", "widen": "refill+trend"},
    n_init=(2, 12), max_branches=(24, 48), warm_up=(0, 0), patience=(40, 10), min_kept=(2, 2),
    prune_conf=(0.0, 0.6), t_ema=(2, 8), alpha=(0.7, 0.3), conf_thresh=(0.8, 0.99), widen_burst=(1, 4),
    trend_thresh=(-0.1, 0.04), min_complete=(2, 8), max_complete=(64, 64),
)

# The paper's baselines on the template, their budget knob running with beta. Read whole, SC, ASC and
# ESC act exactly as the built-ins at any one budget; Parallel-Probe's step order differs slightly.
SC_GENOME = _design({"opening": "whole"}, n_init=(2, 32), max_branches=(2, 32), min_complete=(2, 32),
                    max_complete=(2, 32), conf_thresh=(0.999, 0.999))
ASC_GENOME = _design({"opening": "whole", "widen": "unsure"}, n_init=(1, 1), max_branches=(4, 64),
                     max_complete=(4, 64), min_complete=(2, 2), conf_thresh=(0.95, 0.95), alpha=(1.0, 1.0),
                     warm_up=(0, 0), widen_burst=(1, 1))
ESC_GENOME = _design({"opening": "whole", "widen": "unsure", "stop": "window", "answer": "window"},
                     n_init=(8, 8), window=(8, 8), widen_burst=(8, 8), max_branches=(8, 64), max_complete=(8, 64),
                     min_complete=(1, 1), warm_up=(0, 0))
PARALLEL_PROBE_GENOME = _design(
    {"tally": "latest", "dissent": "patience", "stop": "raw", "answer": "tally"},
    n_init=(4, 64), max_branches=(4, 64), warm_up=(15, 15), patience=(7, 7), min_kept=(1, 1),
    conf_thresh=(0.5, 0.5), stable_steps=(40, 40), min_complete=(0, 0), max_complete=(64, 64),
)

STARTS: Mapping[str, Genome] = MappingProxyType({
    "cmc": CMC_GENOME, "race": RACE_GENOME, "sc": SC_GENOME, "asc": ASC_GENOME, "esc": ESC_GENOME,
    "parallel-probe": PARALLEL_PROBE_GENOME,
})

# Knob lines a variant starts from when a genome switches to it: knobs that only that
# variant reads would otherwise carry values that never mattered (CMC's focus is 64).
VARIANT_DEFAULTS: Mapping[str, dict[str, tuple[float, float]]] = MappingProxyType({
    "completed+probes": {"probe_weight": (0.3, 0.3)},
    "completed+settled": {"probe_weight": (0.5, 0.5)},
    "completed+short": {"length_power": (1.0, 1.0)},
    "completed+consistent": {"consistency_power": (1.0, 1.0)},
    "focus": {"focus": (2, 8)},
    "aligned_focus": {"focus": (2, 8)},
    "ratio": {"length_ratio": (1.5, 2.5)},
    "refill+trend": {"trend_thresh": (-0.1, 0.04)},
    "ema_stable": {"stable_steps": (1, 4)},
    "raw": {"stable_steps": (1, 4)},
    "consensus": {"stable_steps": (1, 4), "consensus_share": (0.7, 0.9)},
    "streak": {"settle_probes": (12, 24)},
    "finish": {"split_after": (4, 8), "split_conf": (0.6, 0.8)},
})


def switch_variant(genome: Genome, slot: str, variant: str) -> Genome:
    """(Plain) ``genome`` with ``slot`` set to ``variant`` and that variant's own knobs at their starting lines."""
    defaults = VARIANT_DEFAULTS.get(variant, {})
    return Genome.build({**genome.choice, slot: variant}, {**genome.lines, **defaults})


def render(genome: Genome, title: str) -> str:
    """The controller file for ``genome``; ``title`` is its docstring's first line."""
    high = (genome.splice[0], genome.splice[1].choice, genome.splice[1].lines) if genome.splice else None
    return render_file(genome.choice, genome.lines, title, high)


def parse_genome(source: str) -> Genome | None:
    """The genome of a rendered file; ``None`` for files not made from this template."""
    found = read_choice(source)
    if found is None:
        return None
    choice, lines, high = found
    try:
        genome = Genome.build(choice, lines)
        return genome.spliced(high[0], Genome.build(high[1], high[2])) if high else genome
    except ValueError:
        return None
