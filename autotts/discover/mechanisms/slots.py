"""Every slot's variants by name: the template's vocabulary, in the order of :class:`Mechanisms`'s fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from autotts.discover.mechanisms import (
    answering,
    depth,
    opening,
    pruning,
    settling,
    splitting,
    stopping,
    tally,
    widening,
)
from autotts.discover.mechanisms.episode import Mechanisms

__all__ = ["SLOTS", "build_mechanisms"]

SLOTS: Mapping[str, Mapping[str, Callable[..., Any]]] = MappingProxyType({
    "opening": MappingProxyType({
        "probe": opening.open_probe, "whole": opening.open_whole, "whole_first": opening.open_whole_first}),
    "tally": MappingProxyType({
        "completed": tally.tally_completed, "completed+probes": tally.tally_probes,
        "completed+settled": tally.tally_settled, "completed+short": tally.tally_short,
        "completed+consistent": tally.tally_consistent, "latest": tally.tally_latest}),
    "depth": MappingProxyType({
        "most_invested": depth.deepen_most_invested, "aligned_focus": depth.deepen_aligned_focus,
        "uniform": depth.deepen_uniform, "focus": depth.deepen_focus}),
    "dissent": MappingProxyType({"off": pruning.dissent_off, "patience": pruning.dissent_patience}),
    "overlong": MappingProxyType({"off": pruning.overlong_off, "ratio": pruning.overlong_ratio}),
    "settle": MappingProxyType({"off": settling.settle_off, "streak": settling.settle_streak}),
    "stop": MappingProxyType({
        "ema": stopping.stop_ema, "ema_stable": stopping.stop_ema_stable, "raw": stopping.stop_raw,
        "window": stopping.stop_window, "consensus": stopping.stop_consensus}),
    "widen": MappingProxyType({
        "flat_trend": widening.widen_flat_trend, "low_conf": widening.widen_low_conf, "doubt": widening.widen_doubt,
        "refill+trend": widening.widen_refill_trend, "refill": widening.widen_refill, "unsure": widening.widen_unsure,
        "disagreement": widening.widen_disagreement, "none": widening.widen_none}),
    "answer": MappingProxyType({
        "completed": answering.answer_completed, "tally": answering.answer_leader,
        "window": answering.answer_window}),
    "split": MappingProxyType({"off": splitting.split_off, "finish": splitting.split_finish}),
})

assert tuple(SLOTS) == Mechanisms._fields, "SLOTS must list the slots in the order of Mechanisms' fields"


def build_mechanisms(choice: Mapping[str, str]) -> Mechanisms:
    """The functions of the variants named in ``choice`` (slot -> variant)."""
    return Mechanisms(**{slot: SLOTS[slot][choice[slot]] for slot in SLOTS})
