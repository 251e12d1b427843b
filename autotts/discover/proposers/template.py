"""The mechanism template the ``evolve`` proposer searches over.

A :class:`Genome` picks one variant per mechanism slot (tally, depth, prune,
stop, widen, answer) and gives every numeric knob its value at beta = 0 and
at beta = 1; the knob is the straight line between them, rounded and clamped,
so it is monotone in beta. :func:`render` turns a genome into a self-contained
controller file holding only the chosen variants, with the genome itself as a
literal so it can be read back (:func:`parse_genome`). ``CMC_GENOME`` is CMC
(CONTROLLERS.md) exactly and ``RACE_GENOME`` a length race; the search starts
from both.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "CMC_GENOME",
    "KNOBS",
    "RACE_GENOME",
    "SLOTS",
    "VARIANT_DEFAULTS",
    "Genome",
    "KnobSpec",
    "parse_genome",
    "render",
    "switch_variant",
]


@dataclass(frozen=True, slots=True)
class KnobSpec:
    """A numeric knob: its type, clamp range, the direction that spends more, and what it does."""

    kind: str  # "int" | "float"
    low: float
    high: float
    direction: str  # "up": larger spends more; "down": smaller spends more; "free"
    doc: str
    log_scale: bool = False  # mutate multiplicatively (counts whose useful values span orders of magnitude)
    read_by: tuple[str, ...] = ()  # the variants that read this knob; empty: every controller reads it


KNOBS: MappingProxyType[str, KnobSpec] = MappingProxyType({
    "n_init": KnobSpec("int", 1, 16, "up", "branches opened before the first step", log_scale=True),
    "max_branches": KnobSpec("int", 2, 64, "up", "never open more branches than this", log_scale=True),
    "warm_up": KnobSpec("int", 0, 20, "up", "steps before pruning, bursts and stopping are allowed", log_scale=True),
    "patience": KnobSpec("int", 1, 40, "free", "steps a branch may disagree with the leader before it is pruned",
                         log_scale=True, read_by=("patience", "patience+overlong")),
    "min_kept": KnobSpec("int", 1, 8, "up", "live branches that pruning for disagreement always keeps",
                         read_by=("patience", "patience+overlong")),
    "prune_conf": KnobSpec("float", 0.0, 0.99, "free", "leader confidence needed before any pruning",
                           read_by=("patience", "overlong", "patience+overlong")),
    "length_ratio": KnobSpec("float", 1.0, 4.0, "up",
                             "a live branch longer than this many times the shortest finished one is pruned",
                             read_by=("overlong", "patience+overlong")),
    "t_ema": KnobSpec("int", 1, 12, "up", "length of the confidence history the trend is read from"),
    "alpha": KnobSpec("float", 0.05, 1.0, "down", "weight of the newest confidence in its moving average"),
    "conf_thresh": KnobSpec("float", 0.5, 0.999, "up", "smoothed confidence needed to stop"),
    "delta_slack": KnobSpec("float", 0.0, 0.2, "down", "how far confidence may be falling when stopping",
                            read_by=("ema", "ema_stable")),
    "burst": KnobSpec("int", 1, 6, "free", "intervals per step for a branch that agrees with the leader",
                      read_by=("most_invested", "focus", "aligned_focus")),
    "widen_burst": KnobSpec("int", 1, 8, "up", "branches opened per widening",
                            read_by=("flat_trend", "low_conf", "doubt", "refill+trend")),
    "trend_thresh": KnobSpec("float", -0.1, 0.2, "free", "widen only while confidence rises slower than this",
                             read_by=("flat_trend", "refill+trend")),
    "min_complete": KnobSpec("int", 1, 12, "up", "completed answers needed to stop", log_scale=True),
    "max_complete": KnobSpec("int", 2, 64, "up", "completed answers after which it stops, sure or not", log_scale=True),
    "probe_weight": KnobSpec("float", 0.0, 1.0, "free", "vote weight of a live branch's latest probe",
                             read_by=("completed+probes", "completed+settled")),
    "stable_steps": KnobSpec("int", 0, 20, "up", "steps the leader must stay unchanged to stop",
                             read_by=("ema_stable", "raw")),
    "length_power": KnobSpec("float", 0.0, 4.0, "free", "how much more a short finished trace's answer weighs",
                             read_by=("completed+short",)),
    "focus": KnobSpec("int", 1, 64, "up", "most live branches deepened per step", log_scale=True,
                      read_by=("focus", "aligned_focus")),
})

_HELPERS = {
    "continue": '''
def advance(question: QuestionView, b: Branch, pool: list[str], times: int) -> None:
    """Up to ``times`` more intervals of ``b``; a branch that ends (or fails) puts its answer in the pool."""
    for _ in range(times):
        try:
            obs = question.continue_branch(b.index)
        except ValueError:
            b.finished = True
            pool.append(b.latest)
            return
        b.previous, b.latest = b.latest, obs.answer
        b.probes += 1
        if obs.finished:
            b.finished = True
            pool.append(obs.answer)
            return
''',
    "trend": '''
def trend_wants_width(s: Schedule, step: int, ema: float, delta: float) -> bool:
    """CMC's widening test: confidence below the bar and rising slower than ``trend_thresh``, after half the
    warm-up."""
    return delta <= s.trend_thresh and step >= max(1, s.warm_up // 2) and ema < s.conf_thresh
''',
    "dissent": '''
def drop_dissenters(question: QuestionView, live: list[Branch], winner: str, patience: int, keep: int) -> None:
    """Abandon branches that disagreed with the leader ``patience`` steps running, most stubborn first,
    never leaving fewer than ``keep`` live."""
    for b in live:
        b.disagree = b.disagree + 1 if b.latest != winner else 0
    dissenters = sorted((b for b in live if b.disagree >= patience), key=lambda b: b.disagree, reverse=True)
    for b in dissenters[: max(0, len(live) - keep)]:
        b.abandoned = True
        question.prune(b.index)
''',
    "overlong": '''
def drop_overlong(question: QuestionView, live: list[Branch], branches: list[Branch], ratio: float) -> None:
    """Abandon live branches already ``ratio`` times longer than the shortest finished one.

    Long traces are the ones most often wrong, and the first to finish sets the scale for this question.
    """
    shortest = min((b.probes for b in branches if b.finished), default=None)
    if shortest is None:
        return
    for b in live:
        if not b.abandoned and b.probes > ratio * shortest:
            b.abandoned = True
            question.prune(b.index)
''',
    "leading": '''
def leading(counts: dict[str, float]) -> tuple[str | None, float]:
    """The answer with the most (weighted) votes and its Beta confidence over the runner-up, counts rounded."""
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked:
        return None, 0.0
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0], beta_conf(round(ranked[0][1]), round(second))
''',
    "weighted": '''
def weighted_stats(pool: list[str], voters: list[Branch], weight: float) -> tuple[str | None, float]:
    """Leader and Beta confidence of completed answers (weight 1) plus live probe votes (``weight``)."""
    counts: dict[str, float] = {}
    for answer in pool:
        counts[answer] = counts.get(answer, 0.0) + 1.0
    for b in voters:
        counts[b.latest] = counts.get(b.latest, 0.0) + weight
    return leading(counts)
''',
    "short": '''
def length_weighted_stats(branches: list[Branch], power: float) -> tuple[str | None, float]:
    """Leader and Beta confidence of finished answers, each weighing (shortest length / its length) ** power."""
    done = [b for b in branches if b.finished]
    if not done:
        return None, 0.0
    shortest = min(b.probes for b in done)
    counts: dict[str, float] = {}
    for b in done:
        counts[b.latest] = counts.get(b.latest, 0.0) + (shortest / b.probes) ** power
    return leading(counts)
''',
}

# slot -> variant -> (method source, helpers it needs)
SLOTS: MappingProxyType[str, MappingProxyType[str, tuple[str, tuple[str, ...]]]] = MappingProxyType({
    "tally": MappingProxyType({
        "completed": ('''
    def tally(self, pool: list[str], branches: list[Branch]) -> tuple[str | None, float]:
        """Leader and confidence from completed answers only."""
        winner, top1, top2 = vote_stats(pool)
        return winner, beta_conf(top1, top2)
''', ()),
        "completed+probes": ('''
    def tally(self, pool: list[str], branches: list[Branch]) -> tuple[str | None, float]:
        """Completed answers, plus every live branch's latest extracted probe at a lower weight."""
        voters = [b for b in branches if not (b.finished or b.abandoned) and b.latest != "ERR"]
        return weighted_stats(pool, voters, self.s.probe_weight)
''', ("leading", "weighted")),
        "completed+settled": ('''
    def tally(self, pool: list[str], branches: list[Branch]) -> tuple[str | None, float]:
        """Completed answers, plus live branches whose last two probes agree, at a lower weight."""
        voters = [
            b for b in branches
            if not (b.finished or b.abandoned) and b.latest != "ERR" and b.latest == b.previous
        ]
        return weighted_stats(pool, voters, self.s.probe_weight)
''', ("leading", "weighted")),
        "completed+short": ('''
    def tally(self, pool: list[str], branches: list[Branch]) -> tuple[str | None, float]:
        """Completed answers, the shorter a trace the more its answer weighs.

        Among traces of one question the short ones are right more often: long ones are where a model loops
        and second-guesses itself.
        """
        return length_weighted_stats(branches, self.s.length_power)
''', ("leading", "short")),
    }),
    "depth": MappingProxyType({
        "most_invested": ('''
    def deepen(self, question: QuestionView, live: list[Branch], pool: list[str], winner: str | None,
               warm: bool) -> None:
        """Most-probed branches first; those agreeing with the leader get a burst once warm."""
        for b in sorted(live, key=lambda b: b.probes, reverse=True):
            advance(question, b, pool, self.s.burst if warm and b.latest == winner else 1)
''', ("continue",)),
        "aligned_focus": ('''
    def deepen(self, question: QuestionView, live: list[Branch], pool: list[str], winner: str | None,
               warm: bool) -> None:
        """Only ``focus`` branches advance: those agreeing with the leader first, then the most probed."""
        for b in sorted(live, key=lambda b: (b.latest != winner, -b.probes))[: self.s.focus]:
            advance(question, b, pool, self.s.burst if warm and b.latest == winner else 1)
''', ("continue",)),
        "uniform": ('''
    def deepen(self, question: QuestionView, live: list[Branch], pool: list[str], winner: str | None,
               warm: bool) -> None:
        """Every live branch one interval, in the order they were opened."""
        for b in live:
            advance(question, b, pool, 1)
''', ("continue",)),
        "focus": ('''
    def deepen(self, question: QuestionView, live: list[Branch], pool: list[str], winner: str | None,
               warm: bool) -> None:
        """Only the ``focus`` most-probed branches advance, so a few finish early."""
        for b in sorted(live, key=lambda b: b.probes, reverse=True)[: self.s.focus]:
            advance(question, b, pool, self.s.burst if warm and b.latest == winner else 1)
''', ("continue",)),
    }),
    "prune": MappingProxyType({
        "patience": ('''
    def prune(self, question: QuestionView, live: list[Branch], winner: str, branches: list[Branch]) -> None:
        """Abandon branches that disagreed with the leader ``patience`` steps running, keeping ``min_kept``."""
        drop_dissenters(question, live, winner, self.s.patience, self.s.min_kept)
''', ("dissent",)),
        "overlong": ('''
    def prune(self, question: QuestionView, live: list[Branch], winner: str, branches: list[Branch]) -> None:
        """Abandon branches running far longer than the shortest finished one."""
        drop_overlong(question, live, branches, self.s.length_ratio)
''', ("overlong",)),
        "patience+overlong": ('''
    def prune(self, question: QuestionView, live: list[Branch], winner: str, branches: list[Branch]) -> None:
        """Abandon stubborn dissenters (keeping ``min_kept``), then branches running far too long."""
        drop_dissenters(question, live, winner, self.s.patience, self.s.min_kept)
        drop_overlong(question, live, branches, self.s.length_ratio)
''', ("dissent", "overlong")),
        "off": ('''
    def prune(self, question: QuestionView, live: list[Branch], winner: str, branches: list[Branch]) -> None:
        """Never prune: every opened branch runs until the controller stops."""
''', ()),
    }),
    "stop": MappingProxyType({
        "ema": ('''
    def confident(self, ema: float, conf: float, delta: float, stable: int) -> bool:
        """Smoothed confidence high and not falling."""
        return ema >= self.s.conf_thresh and delta >= -self.s.delta_slack
''', ()),
        "ema_stable": ('''
    def confident(self, ema: float, conf: float, delta: float, stable: int) -> bool:
        """Smoothed confidence high, not falling, and the leader unchanged for ``stable_steps``."""
        return ema >= self.s.conf_thresh and delta >= -self.s.delta_slack and stable >= self.s.stable_steps
''', ()),
        "raw": ('''
    def confident(self, ema: float, conf: float, delta: float, stable: int) -> bool:
        """Current confidence high and the leader unchanged for ``stable_steps``."""
        return conf >= self.s.conf_thresh and stable >= self.s.stable_steps
''', ()),
    }),
    "widen": MappingProxyType({
        "flat_trend": ('''
    def widen_count(self, step: int, ema: float, delta: float, live: int) -> int:
        """``widen_burst`` more while confidence is low and not rising fast; none once nothing is live."""
        return self.s.widen_burst if live and trend_wants_width(self.s, step, ema, delta) else 0
''', ("trend",)),
        "low_conf": ('''
    def widen_count(self, step: int, ema: float, delta: float, live: int) -> int:
        """``widen_burst`` more whenever confidence is low, after half the warm-up; none once nothing is live."""
        wanted = step >= max(1, self.s.warm_up // 2) and ema < self.s.conf_thresh
        return self.s.widen_burst if live and wanted else 0
''', ()),
        "doubt": ('''
    def widen_count(self, step: int, ema: float, delta: float, live: int) -> int:
        """``widen_burst`` more once some answer is in but confidence is still low; none before the first.

        Opening many branches before anything has finished pays for width that easy questions never need.
        """
        wanted = 0.0 < ema < self.s.conf_thresh and step >= max(1, self.s.warm_up // 2)
        return self.s.widen_burst if live and wanted else 0
''', ()),
        "refill+trend": ('''
    def widen_count(self, step: int, ema: float, delta: float, live: int) -> int:
        """Keep ``n_init`` branches running, and open ``widen_burst`` more while confidence is low and flat.

        With a negative ``trend_thresh`` only the refill acts; raised, it adds CMC's early width.
        """
        wanted = live and trend_wants_width(self.s, step, ema, delta)
        return max(self.s.n_init - live, self.s.widen_burst if wanted else 0)
''', ("trend",)),
        "refill": ('''
    def widen_count(self, step: int, ema: float, delta: float, live: int) -> int:
        """Keep ``n_init`` branches running: a finished or pruned one is replaced by a fresh one.

        Branches started together finish in order of length, so the pool fills with the shortest traces first.
        """
        return self.s.n_init - live
''', ()),
    }),
    "answer": MappingProxyType({
        "completed": ('''
    def answer(self, pool: list[str], branches: list[Branch]) -> str | None:
        """Majority of completed answers; without any, of the latest answers of kept branches."""
        if pool:
            return majority(pool)
        return majority(b.latest for b in branches if not b.abandoned and b.latest is not None)
''', ()),
        "tally": ('''
    def answer(self, pool: list[str], branches: list[Branch]) -> str | None:
        """The tally's leader (completed plus weighted probe votes); the kept branches' majority otherwise."""
        winner, _conf = self.tally(pool, branches)
        if winner is not None:
            return winner
        return majority(b.latest for b in branches if not b.abandoned and b.latest is not None)
''', ()),
    }),
})


@dataclass(frozen=True, slots=True)
class Genome:
    """One point of the search space: a variant per slot, (value at beta 0, value at beta 1) per knob."""

    mechanisms: tuple[tuple[str, str], ...]
    knobs: tuple[tuple[str, float, float], ...]

    def to_json(self) -> dict[str, dict[str, object]]:
        return {"mechanisms": dict(self.mechanisms), "knobs": {k: [a, b] for k, a, b in self.knobs}}

    @classmethod
    def from_json(cls, data: dict[str, dict[str, object]]) -> Genome:
        mechanisms = tuple((slot, str(data["mechanisms"][slot])) for slot in SLOTS)
        knobs = tuple((k, float(data["knobs"][k][0]), float(data["knobs"][k][1])) for k in KNOBS)  # type: ignore[index]
        for slot, variant in mechanisms:
            if variant not in SLOTS[slot]:
                raise ValueError(f"genome: unknown variant {variant!r} for slot {slot!r}")
        return cls(mechanisms, knobs)

    def key(self) -> str:
        """Equal for equal genomes, whether a knob was written as ``2`` or read back as ``2.0``."""
        knobs = {k: [float(a), float(b)] for k, a, b in self.knobs}
        return json.dumps({"mechanisms": dict(self.mechanisms), "knobs": knobs}, sort_keys=True)


CMC_GENOME = Genome(
    mechanisms=(("tally", "completed"), ("depth", "most_invested"), ("prune", "patience"), ("stop", "ema"),
                ("widen", "flat_trend"), ("answer", "completed")),
    knobs=(("n_init", 2, 8), ("max_branches", 4, 64), ("warm_up", 2, 10), ("patience", 3, 12), ("min_kept", 2, 2),
           ("prune_conf", 0.0, 0.0), ("length_ratio", 2.0, 2.0), ("t_ema", 2, 8), ("alpha", 0.7, 0.3),
           ("conf_thresh", 0.85, 0.97), ("delta_slack", 0.04, 0.01),
           ("burst", 1, 3), ("widen_burst", 1, 4), ("trend_thresh", 0.04, 0.01), ("min_complete", 2, 5),
           ("max_complete", 64, 64), ("probe_weight", 0.3, 0.3), ("stable_steps", 0, 0), ("length_power", 1.0, 1.0),
           ("focus", 64, 64)),
)

# A second, different starting design, found by hand on the AIME24 search stores: keep n_init traces
# generating side by side, replacing each one that finishes, prune a branch only after it disagreed
# with the leader for a long time, and stop once the finished answers agree with Beta confidence
# conf_thresh. Branches started together finish in order of length, and short reasoning traces are
# the more often right, so the pool is biased toward them. trend_thresh turns positive near beta
# 0.7: from there on it also widens early the way CMC does, racing many traces for the shortest
# ones, and prunes dissenters sooner (patience falls with beta). Above beta ~0.85, prune_conf passes
# 0.5 and pruning pauses while the two leading answers are tied: on questions a model finds hard the
# finished answers split, and eager pruning would cut the traces still heading for the right one.
RACE_GENOME = Genome(
    mechanisms=(("tally", "completed"), ("depth", "uniform"), ("prune", "patience"), ("stop", "raw"),
                ("widen", "refill+trend"), ("answer", "completed")),
    knobs=(("n_init", 2, 12), ("max_branches", 24, 48), ("warm_up", 0, 0), ("patience", 40, 10), ("min_kept", 2, 2),
           ("prune_conf", 0.0, 0.6), ("length_ratio", 1.3, 2.0), ("t_ema", 2, 8), ("alpha", 0.7, 0.3),
           ("conf_thresh", 0.8, 0.99), ("delta_slack", 0.04, 0.01), ("burst", 1, 1), ("widen_burst", 1, 4),
           ("trend_thresh", -0.1, 0.04), ("min_complete", 2, 8), ("max_complete", 64, 64), ("probe_weight", 0.3, 0.3),
           ("stable_steps", 0, 0), ("length_power", 1.0, 1.0), ("focus", 64, 64)),
)

# Knob lines a variant starts from when a genome switches to it: knobs that only that
# variant reads would otherwise carry values that never mattered (CMC's focus is 64).
VARIANT_DEFAULTS: MappingProxyType[str, dict[str, tuple[float, float]]] = MappingProxyType({
    "completed+probes": {"probe_weight": (0.3, 0.3)},
    "completed+settled": {"probe_weight": (0.5, 0.5)},
    "completed+short": {"length_power": (1.0, 1.0)},
    "focus": {"focus": (2, 8)},
    "aligned_focus": {"focus": (2, 8)},
    "overlong": {"length_ratio": (1.5, 2.5)},
    "refill+trend": {"trend_thresh": (-0.1, 0.04)},
    "patience+overlong": {"length_ratio": (1.5, 2.5)},
    "ema_stable": {"stable_steps": (1, 4)},
    "raw": {"stable_steps": (1, 4)},
})


def switch_variant(genome: Genome, slot: str, variant: str) -> Genome:
    """``genome`` with ``slot`` set to ``variant`` and that variant's own knobs at their starting lines."""
    mechanisms = tuple((s, variant if s == slot else v) for s, v in genome.mechanisms)
    defaults = VARIANT_DEFAULTS.get(variant, {})
    knobs = tuple((k, *map(float, defaults[k])) if k in defaults else (k, a, b) for k, a, b in genome.knobs)
    return Genome(mechanisms, knobs)  # type: ignore[arg-type]


_FILE = '''"""{title}

Mechanisms: {summary}.
Every knob below is a straight line in beta, rounded and clamped: monotone, larger beta spending more.
"""

from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_conf, majority, vote_stats
from autotts.replay.episode import QuestionView

GENOME = {genome}

MAX_STEPS = 500


@dataclass(frozen=True)
class Schedule:
    """Every internal knob as a function of beta."""

{fields}

    @classmethod
    def from_beta(cls, b: float) -> "Schedule":
        return cls(
{lines}
        )


@dataclass
class Branch:
    index: int
    latest: str
    finished: bool
    previous: str | None = None
    abandoned: bool = False
    probes: int = 1
    disagree: int = 0
{helpers}

class DiscoveredController(Controller):
    """Grow, deepen, prune, widen and stop as the mechanisms above say; one knob, beta."""

    def __init__(self, beta: float = 0.5) -> None:
        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"beta must be in [0, 1], got {{beta}}")
        self.beta = beta
        self.s = Schedule.from_beta(beta)

    def solve(self, question: QuestionView) -> str | None:
        s = self.s
        branches: list[Branch] = []
        pool: list[str] = []
        self.widen(question, branches, pool, s.n_init)
        if not branches:
            return None
        ema = 0.0
        history: list[float] = []
        stable = 0
        previous = None
        for step in range(MAX_STEPS):
            winner, conf = self.tally(pool, branches)
            warm = step >= s.warm_up
            ema = (1 - s.alpha) * ema + s.alpha * conf
            history.append(ema)
            del history[: -s.t_ema]
            if warm and winner is not None and conf >= s.prune_conf:
                self.prune(question, [b for b in branches if not (b.finished or b.abandoned)], winner, branches)
            live = [b for b in branches if not (b.finished or b.abandoned)]
            self.deepen(question, live, pool, winner, warm)
            winner, conf = self.tally(pool, branches)
            ema = (1 - s.alpha) * ema + s.alpha * conf
            history[-1] = ema
            delta = history[-1] - history[0] if len(history) >= 2 else 0.0
            stable = stable + 1 if winner == previous else 0
            previous = winner
            sure = warm and len(pool) >= s.min_complete and self.confident(ema, conf, delta, stable)
            if sure or len(pool) >= s.max_complete:
                return self.answer(pool, branches)
            live_count = sum(1 for b in branches if not (b.finished or b.abandoned))
            count = min(self.widen_count(step, ema, delta, live_count), s.max_branches - len(branches))
            if count > 0:
                self.widen(question, branches, pool, count)
            elif not live_count:
                break
        return self.answer(pool, branches)

    def widen(self, question: QuestionView, branches: list[Branch], pool: list[str], count: int) -> None:
        """Open up to ``count`` new branches; answers of branches that end at once join the pool."""
        for _ in range(count):
            try:
                obs = question.branch()
            except ValueError:
                return
            branches.append(Branch(obs.branch, obs.answer, obs.finished))
            if obs.finished:
                pool.append(obs.answer)
{methods}

def make_controller(beta: float = 0.5) -> "DiscoveredController":
    return DiscoveredController(beta)
'''


def render(genome: Genome, title: str) -> str:
    """The controller file for ``genome``; ``title`` is its docstring's first line."""
    chosen = dict(genome.mechanisms)
    methods: list[str] = []
    helpers: list[str] = []
    for slot, variant in genome.mechanisms:
        body, needs = SLOTS[slot][variant]
        methods.append(body)
        helpers.extend(h for h in needs if h not in helpers)
    fields = "\n".join(f"    {name}: {KNOBS[name].kind}" for name in KNOBS)
    lines = "\n".join(f"            {name}={_knob_expr(name, a, b)}," for name, a, b in genome.knobs)
    return _FILE.format(
        title=title,
        summary=", ".join(f"{slot} {variant}" for slot, variant in chosen.items()),
        genome=json.dumps(genome.to_json(), sort_keys=True),
        fields=fields,
        lines=lines,
        helpers="".join(_HELPERS[h] for h in helpers),
        methods="".join(methods),
    )


def parse_genome(source: str) -> Genome | None:
    """The genome literal of a rendered file; ``None`` for files not made from this template."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "GENOME" for t in node.targets):
            try:
                return Genome.from_json(ast.literal_eval(node.value))
            except (ValueError, KeyError, TypeError):
                return None
    return None


def _knob_expr(name: str, at0: float, at1: float) -> str:
    spec = KNOBS[name]
    slope = round(at1 - at0, 10)
    line = f"{at0!r} {'-' if slope < 0 else '+'} {abs(slope)!r} * b"
    low, high = (int(spec.low), int(spec.high)) if spec.kind == "int" else (spec.low, spec.high)
    value = f"round({line})" if spec.kind == "int" else f"round({line}, 4)"
    return f"min({high!r}, max({low!r}, {value}))"
