"""``evolve``: structural and numeric operators on template genomes, deterministic for a seed.

Each child comes from one operator, named in its lineage:

- ``mutate``: a knob's line moved at one or both ends, kept in range and monotone in its spending direction;
- ``swap``: one slot switched to another variant (whose own knobs start at their default lines);
- ``combine``: one slot taken from a second parent, with the knob lines its variant reads;
- ``drop``: an optional mechanism turned off, or a slot set back to its plainest variant;
- ``splice``: the first parent's design below a beta, the second's from it on, so a design strong at small
  budgets and one strong at large budgets can be joined, and each end then bred on its own: every other
  operator on a spliced genome changes one side of the splice.

The template search (:mod:`autotts.discover.search`) breeds its generations
with :meth:`EvolveProposer.breed`; as a plain proposer, :meth:`propose`
breeds rendered files from the run's elites.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from autotts.discover.proposers.base import Proposal, ProposalContext, Proposer, register_proposer
from autotts.discover.proposers.template import (
    CMC_GENOME,
    INT_KNOBS,
    KNOBS,
    SLOTS,
    Genome,
    parse_genome,
    render,
    switch_variant,
)

__all__ = ["PLAIN", "SPLICE_BETAS", "EvolveProposer"]

SPLICE_BETAS = (0.25, 0.5, 0.75)  # where a splice may join two designs: the search's beta grid
# the variant a slot falls back to when its mechanism is dropped
PLAIN = {"opening": "probe", "tally": "completed", "dissent": "off", "overlong": "off", "settle": "off",
         "split": "off", "answer": "completed"}

Parent = tuple[str, Genome]  # (candidate id, genome)


@register_proposer("evolve")
class EvolveProposer(Proposer):
    """Breeds template genomes; the weights say how often each operator is tried, ``chain`` how often a child
    gets one more."""

    def __init__(self, mutate: float = 0.45, swap: float = 0.2, combine: float = 0.25, drop: float = 0.1,
                 splice: float = 0.1, chain: float = 0.5) -> None:
        self.weights = {"mutate": float(mutate), "swap": float(swap), "combine": float(combine), "drop": float(drop),
                        "splice": float(splice)}
        self.chain = float(chain)

    def breed(self, rng: random.Random, parent: Parent, other: Parent | None = None) -> tuple[Genome, tuple[str, ...],
                                                                                               str]:
        """One child of ``parent`` (``other`` is the second parent a ``combine`` takes from), its parents' ids
        and the operators that made it: one, then each further one with probability ``chain`` (a single
        knob step often changes nothing a replay can see)."""
        genome, ops = parent[1], []
        parents: tuple[str, ...] = (parent[0],)
        while True:
            genome, used, op = self._operator(rng, (parent[0], genome), other)
            parents = tuple(dict.fromkeys(parents + used))
            ops.append(op)
            if rng.random() >= self.chain:
                return genome, parents, "; ".join(ops)

    def _operator(self, rng: random.Random, parent: Parent, other: Parent | None) -> tuple[Genome, tuple[str, ...],
                                                                                           str]:
        names = [op for op in self.weights if op not in ("combine", "splice") or other is not None]
        op = rng.choices(names, [self.weights[n] for n in names])[0]
        genome = parent[1]
        if op == "splice" and other is not None and genome.low.key() != other[1].at(1.0).key():
            beta = rng.choice(SPLICE_BETAS)
            return (genome.spliced(beta, other[1]), (parent[0], other[0]),
                    f"splice {parent[0] or 'a start'} + {other[0] or 'a start'} at beta {beta:g}")
        if op == "splice":
            op = "mutate"
        if genome.splice is None:
            return self._on_design(rng, op, parent, other)
        beta, high = genome.splice  # one side of the splice changes, the other stays as it is
        below = rng.random() < 0.5
        side = (parent[0], genome.low if below else high)
        other_side = (other[0], other[1].at(0.0 if below else 1.0)) if other is not None else None
        child, parents, what = self._on_design(rng, op, side, other_side)
        child = child.spliced(beta, high) if below else genome.low.spliced(beta, child)
        return child, parents, f"{what} ({'below' if below else 'from'} beta {beta:g})"

    def _on_design(self, rng: random.Random, op: str, parent: Parent, other: Parent | None
                   ) -> tuple[Genome, tuple[str, ...], str]:
        """``op`` on the plain design ``parent[1]``."""
        genome = parent[1]
        if op == "combine" and other is not None:
            child, what = combine(rng, genome, other[1])
            return child, (parent[0], other[0]), f"combine {what} from {other[0] or 'a start'}"
        if op == "drop":
            droppable = [s for s, plain in PLAIN.items() if genome.choice[s] != plain]
            if droppable:
                slot = rng.choice(droppable)
                return (switch_variant(genome, slot, PLAIN[slot]), (parent[0],),
                        f"drop {slot} {genome.choice[slot]}")
            op = "swap"
        if op == "swap":
            slot = rng.choice(sorted(SLOTS))
            variant = rng.choice(sorted(v for v in SLOTS[slot] if v != genome.choice[slot]))
            return switch_variant(genome, slot, variant), (parent[0],), f"swap {slot} {genome.choice[slot]}->{variant}"
        child, knob = mutate(rng, genome)
        return child, (parent[0],), f"mutate {knob}"

    def propose(self, context: ProposalContext) -> list[Proposal]:
        rng = random.Random(f"evolve:{context.seed}:{context.round}")
        elites = [(cid, g) for cid, source, _ in context.elites if (g := parse_genome(source))] or [("", CMC_GENOME)]
        seen = {g.key() for g in map(parse_genome, context.seen_sources) if g}
        out = []
        for _ in range(context.count):
            child, parents, op = self.breed(rng, rng.choice(elites), rng.choice(elites) if len(elites) > 1 else None)
            for _ in range(50):
                if child.key() not in seen:
                    break
                child, parents, op = self.breed(rng, rng.choice(elites))
            seen.add(child.key())
            parents = tuple(p for p in parents if p)
            title = f"Candidate of round {context.round} by evolve ({op}) from {', '.join(parents) or 'CMC'}."
            out.append(Proposal(render(child, title), self.name, parents, note=op))
        return out


def mutate(rng: random.Random, genome: Genome) -> tuple[Genome, str]:
    """One knob that the genome's variants read, its line moved at one or both ends; (child, knob name)."""
    chosen = set(genome.choice.values())
    name = rng.choice(sorted(k for k, spec in KNOBS.items() if not spec.read_by or chosen & set(spec.read_by)))
    spec = KNOBS[name]
    line = list(genome.lines[name])
    step = rng.gauss(0.0, 0.4 if spec.log_scale else 0.15 * (spec.high - spec.low))
    for end in rng.choice(([0], [1], [0, 1])):
        old = line[end]
        value = max(old, 1.0) * math.exp(step) if spec.log_scale else old + step
        if name in INT_KNOBS and round(value) == old:
            value = old + (1 if step > 0 else -1)
        value = min(spec.high, max(spec.low, value))
        line[end] = round(value) if name in INT_KNOBS else round(value, 4)
    if (spec.direction == "up" and line[1] < line[0]) or (spec.direction == "down" and line[1] > line[0]):
        line.reverse()
    return Genome.build(genome.choice, {**genome.lines, name: (line[0], line[1])}), name


def combine(rng: random.Random, genome: Genome, other: Genome) -> tuple[Genome, str]:
    """``genome`` with one slot where ``other`` differs taken from ``other``, with the knob lines that variant
    reads; (child, what was taken)."""
    differing = [s for s in SLOTS if genome.choice[s] != other.choice[s]] or list(SLOTS)
    slot = rng.choice(differing)
    variant = other.choice[slot]
    lines = {**genome.lines, **{k: other.lines[k] for k, spec in KNOBS.items() if variant in spec.read_by}}
    return Genome.build({**genome.choice, slot: variant}, lines), f"{slot} {variant}"


def single_steps(genome: Genome) -> Sequence[tuple[Genome, str]]:
    """Every genome one swap or drop away from ``genome``, with the operator's description."""
    out = []
    for slot, variants in SLOTS.items():
        for variant in variants:
            if variant != genome.choice[slot]:
                verb = "drop" if PLAIN.get(slot) == variant else "swap"
                out.append((switch_variant(genome, slot, variant), f"{verb} {slot} {genome.choice[slot]}->{variant}"))
    return out
