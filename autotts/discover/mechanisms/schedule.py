"""The template's numeric knobs: each a straight line in beta, rounded and clamped.

A genome gives every knob its value at beta = 0 and at beta = 1; the knob at
beta b is the point of that line, rounded (to an integer, or to 4 decimals)
and clamped to the knob's range. Lines that rise with beta in a knob's
spending direction keep the controller's cost monotone in beta, which is the
one rule every AutoTTS controller obeys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["KnobSpec", "Schedule", "knob"]


@dataclass(frozen=True, slots=True)
class KnobSpec:
    """A knob's clamp range, the direction that spends more, and what it does."""

    low: float
    high: float
    direction: str  # "up": larger spends more; "down": smaller spends more; "free"
    doc: str
    log_scale: bool = False  # mutated multiplicatively: counts whose useful values span orders of magnitude
    read_by: tuple[str, ...] = ()  # the variants that read this knob; empty: every controller reads it


def knob(low: float, high: float, direction: str, doc: str, *, log_scale: bool = False,
         read_by: tuple[str, ...] = ()) -> Any:
    """A :class:`Schedule` field carrying its :class:`KnobSpec`."""
    return field(metadata={"knob": KnobSpec(low, high, direction, doc, log_scale, read_by)})


@dataclass(frozen=True, slots=True)
class Schedule:
    """Every knob of a template controller at one beta."""

    n_init: int = knob(1, 64, "up", "branches opened before the first step", log_scale=True)
    max_branches: int = knob(1, 64, "up", "never open more branches than this", log_scale=True)
    warm_up: int = knob(0, 20, "up", "steps before pruning, bursts and stopping are allowed", log_scale=True)
    patience: int = knob(1, 40, "free", "steps a branch may disagree with the leader before it is pruned",
                         log_scale=True, read_by=("patience",))
    min_kept: int = knob(1, 8, "up", "live branches that pruning for disagreement always keeps",
                         read_by=("patience",))
    prune_conf: float = knob(0.0, 0.99, "free", "leader confidence needed before any pruning",
                             read_by=("patience", "ratio"))
    prune_after: int = knob(0, 16, "up", "finished answers needed before any pruning", read_by=("patience", "ratio"))
    length_ratio: float = knob(1.0, 4.0, "up",
                               "a live branch longer than this many times the shortest finished one is pruned",
                               read_by=("ratio",))
    t_ema: int = knob(1, 12, "up", "length of the confidence history the trend is read from")
    alpha: float = knob(0.05, 1.0, "down", "weight of the newest confidence in its moving average")
    conf_thresh: float = knob(0.5, 0.999, "up", "smoothed confidence needed to stop")
    delta_slack: float = knob(0.0, 0.2, "down", "how far confidence may be falling when stopping",
                              read_by=("ema", "ema_stable"))
    burst: int = knob(1, 6, "free", "intervals per step for a branch that agrees with the leader",
                      read_by=("most_invested", "focus", "aligned_focus"))
    widen_burst: int = knob(1, 16, "up", "branches opened per widening",
                            read_by=("flat_trend", "low_conf", "doubt", "refill+trend", "unsure", "disagreement"))
    trend_thresh: float = knob(-0.1, 0.2, "free", "widen only while confidence rises slower than this",
                               read_by=("flat_trend", "refill+trend"))
    min_complete: int = knob(0, 32, "up", "completed answers needed to stop", log_scale=True)
    max_complete: int = knob(1, 64, "up", "completed answers after which it stops, sure or not", log_scale=True)
    probe_weight: float = knob(0.0, 1.0, "free", "vote weight of a live branch's latest probe",
                               read_by=("completed+probes", "completed+settled"))
    stable_steps: int = knob(0, 60, "up", "steps the leader must stay unchanged to stop",
                             read_by=("ema_stable", "raw", "consensus"))
    length_power: float = knob(0.0, 4.0, "free", "how much more a short finished trace's answer weighs",
                               read_by=("completed+short",))
    focus: int = knob(1, 64, "up", "most live branches deepened per step", log_scale=True,
                      read_by=("focus", "aligned_focus"))
    window: int = knob(1, 16, "up", "the newest completed answers that must all agree to stop",
                       read_by=("window",))
    consensus_share: float = knob(0.5, 1.0, "up", "share of kept branches whose latest answer must be the leader's",
                                  read_by=("consensus",))
    consistency_power: float = knob(0.0, 4.0, "free",
                                    "how much more an answer weighs when its branch's probes settled on it early",
                                    read_by=("completed+consistent",))
    settle_probes: int = knob(2, 40, "up", "agreeing probes in a row that settle a live branch without reading on",
                              log_scale=True, read_by=("streak",))
    split_after: int = knob(2, 32, "free", "completed answers after which a still-split vote falls back to voting",
                            read_by=("finish",))
    split_conf: float = knob(0.0, 0.99, "up", "leader confidence below which the vote counts as split",
                             read_by=("finish",))

    @classmethod
    def from_lines(cls, lines: Mapping[str, Sequence[float]], beta: float) -> Schedule:
        """Every knob at ``beta`` from its (value at beta 0, value at beta 1) line."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            spec: KnobSpec = f.metadata["knob"]
            at0, at1 = lines[f.name]
            line = at0 + round(at1 - at0, 10) * beta
            if f.type == "int":
                values[f.name] = min(int(spec.high), max(int(spec.low), round(line)))
            else:
                values[f.name] = min(spec.high, max(spec.low, round(line, 4)))
        return cls(**values)
