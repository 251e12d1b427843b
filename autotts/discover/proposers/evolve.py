"""``evolve``: offline program search over the mechanism template, deterministic for a seed.

Each round takes the best template-made candidates so far as parents, and
writes children by recombining two parents (a slot or knob from either) and
mutating one to three genes: a mechanism slot switched to another variant, or
a knob's line moved at one or both ends, kept monotone in its budget
direction and within its clamp range. The first candidates are the template's
two starting designs (CMC, and the length race of ``RACE_GENOME``) followed by
a scan of single-mechanism switches from each, alternating between them, so
every mechanism is tried in both settings before the search narrows; the
scan fills the first rounds, and mutations fill what is left of them. Children are
rendered as ordinary readable controller files.
"""

from __future__ import annotations

import itertools
import math
import random

from autotts.discover.proposers.base import Proposal, ProposalContext, Proposer, register_proposer
from autotts.discover.proposers.template import (
    CMC_GENOME,
    INT_KNOBS,
    KNOBS,
    RACE_GENOME,
    SLOTS,
    Genome,
    parse_genome,
    render,
    switch_variant,
)

__all__ = ["EvolveProposer", "scan_genomes"]


@register_proposer("evolve")
class EvolveProposer(Proposer):
    """Genetic search over :mod:`template` genomes."""

    def __init__(self, parents: int = 4, crossover: float = 0.3, slot_rate: float = 0.25) -> None:
        self.parents = int(parents)
        self.crossover = float(crossover)
        self.slot_rate = float(slot_rate)

    def propose(self, context: ProposalContext) -> list[Proposal]:
        rng = random.Random(f"evolve:{context.seed}:{context.round}")
        elites = [(cid, genome) for cid, source, _ in context.elites if (genome := parse_genome(source))]
        elites = elites[: self.parents] or [("", CMC_GENOME)]
        seen = {g.key() for g in map(parse_genome, context.seen_sources) if g}
        scan = [g for g in scan_genomes() if g.key() not in seen]
        out: list[Proposal] = []
        for i in range(context.count):
            if i < len(scan):
                child, parents = scan[i], ()
            else:
                child, parents = self._child(rng, elites, seen)
            seen.add(child.key())
            title = f"Candidate of round {context.round} by evolve from {', '.join(parents) or 'a starting design'}."
            out.append(Proposal(render(child, title), self.name, parents, note=_describe(child)))
        return out

    def _child(self, rng: random.Random, elites: list[tuple[str, Genome]], seen: set[str]) -> tuple[Genome, tuple]:
        for _ in range(50):
            # rank-weighted parent choice: the best parent is picked most often
            weights = [1.0 / (1 + r) for r in range(len(elites))]
            first = rng.choices(range(len(elites)), weights)[0]
            genome, parents = elites[first][1], [elites[first][0]]
            if len(elites) > 1 and rng.random() < self.crossover:
                second = rng.choice([j for j in range(len(elites)) if j != first])
                genome = _recombine(rng, genome, elites[second][1])
                parents.append(elites[second][0])
            for _ in range(rng.randint(1, 3)):
                genome = self._mutate(rng, genome)
            if genome.key() not in seen:
                return genome, tuple(p for p in parents if p)
        return genome, tuple(p for p in parents if p)

    def _mutate(self, rng: random.Random, genome: Genome) -> Genome:
        if rng.random() < self.slot_rate:
            slot = rng.choice(sorted(SLOTS))
            current = dict(genome.mechanisms)[slot]
            return switch_variant(genome, slot, rng.choice(sorted(v for v in SLOTS[slot] if v != current)))
        knobs = {k: [a, b] for k, a, b in genome.knobs}
        chosen = {variant for _, variant in genome.mechanisms}
        name = rng.choice(sorted(k for k, spec in KNOBS.items() if not spec.read_by or chosen & set(spec.read_by)))
        spec = KNOBS[name]
        span = spec.high - spec.low
        ends = rng.choice(([0], [1], [0, 1]))
        step = rng.gauss(0.0, 0.4 if spec.log_scale else 0.15 * span)
        for end in ends:
            old = knobs[name][end]
            value = max(old, 1.0) * math.exp(step) if spec.log_scale else old + step
            if name in INT_KNOBS and round(value) == old:
                value = old + (1 if step > 0 else -1)
            value = min(spec.high, max(spec.low, value))
            knobs[name][end] = round(value) if name in INT_KNOBS else round(value, 4)
        lo, hi = knobs[name]
        if (spec.direction == "up" and hi < lo) or (spec.direction == "down" and hi > lo):
            knobs[name] = [hi, lo]
        return Genome(genome.mechanisms, tuple((k, float(knobs[k][0]), float(knobs[k][1])) for k in KNOBS))


def scan_genomes() -> list[Genome]:
    """The starting designs, then every single-mechanism switch from each, alternating between the two."""
    switches = [
        [switch_variant(start, slot, variant) for slot, variants in SLOTS.items()
         for variant in variants if variant != dict(start.mechanisms)[slot]]
        for start in (CMC_GENOME, RACE_GENOME)
    ]
    interleaved = [g for pair in itertools.zip_longest(*switches) for g in pair if g is not None]
    unique: dict[str, Genome] = {}
    for genome in [CMC_GENOME, RACE_GENOME, *interleaved]:
        unique.setdefault(genome.key(), genome)
    return list(unique.values())


def _recombine(rng: random.Random, a: Genome, b: Genome) -> Genome:
    mechanisms = tuple(x if rng.random() < 0.5 else y for x, y in zip(a.mechanisms, b.mechanisms, strict=True))
    knobs = tuple(x if rng.random() < 0.5 else y for x, y in zip(a.knobs, b.knobs, strict=True))
    return Genome(mechanisms, knobs)


def _describe(genome: Genome) -> str:
    return "; ".join(f"{slot}={variant}" for slot, variant in genome.mechanisms)
