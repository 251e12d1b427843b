"""The template search: MAP-Elites over genomes, each generation bred, replayed by the kernel, and kept by cell.

Generation 0 is the starting designs (CMC, the paper's baselines on the
template, the hand-made race) and every genome one swap or drop away from
them; each later generation breeds children of archive elites with
:class:`~autotts.discover.proposers.evolve.EvolveProposer`. Every candidate
is recorded with its parents and the operator that made it, so any
candidate's lineage leads back to the starts. A generation is written
atomically once evaluated (``generations/gNNN.json``): a killed run resumes
after its last whole generation and breeds exactly what it would have.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import chain, zip_longest
from pathlib import Path
from typing import Any

from autotts.discover.archive import Archive, Cell, behaviour
from autotts.discover.genome_evaluation import GenomeResult
from autotts.discover.progress import Progress
from autotts.discover.proposers.evolve import EvolveProposer, single_steps
from autotts.discover.proposers.template import STARTS, Genome
from autotts.discover.selection import CurvePoint, Objective
from autotts.files import atomic_write

__all__ = ["SearchRecord", "lineage", "load_generations", "run_search"]

Evaluate = Callable[[Sequence[Genome]], list[GenomeResult]]


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """One candidate of the search: where it came from and how it scored on the search questions."""

    candidate_id: str
    generation: int
    genome: Genome
    parents: tuple[str, ...]
    operator: str  # "start cmc", "mutate n_init", "swap widen refill->unsure", "combine ...", "drop settle ..."
    points: tuple[CurvePoint, ...]  # per-question figures left out: the finalists are replayed again
    score: float | None
    cell: Cell | None
    failure: str | None

    @property
    def ok(self) -> bool:
        return self.failure is None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["genome"] = self.genome.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchRecord:
        return cls(
            data["candidate_id"], data["generation"], Genome.from_json(data["genome"]), tuple(data["parents"]),
            data["operator"], tuple(CurvePoint(**{**p, "q_correct": (), "q_tokens": ()}) for p in data["points"]),
            data["score"], tuple(data["cell"]) if data["cell"] is not None else None, data["failure"])


def run_search(out: Path, *, generations: int, population: int, seed: int, breeder: EvolveProposer,
               evaluate: Evaluate, objective: Objective, progress: Progress,
               on_generation: Callable[[list[SearchRecord]], None] = lambda records: None) -> list[SearchRecord]:
    """Run (or finish) ``generations`` generations of ``population`` candidates; every record, in order.

    ``on_generation`` gets each generation's records once its file is written (and, on a resumed run, the
    records read back), e.g. to mirror them to the store."""
    records = load_generations(out)
    if records:
        on_generation(records)  # again: a kill may have come between a generation's file and this call
    archive = Archive()
    for r in records:
        _offer(archive, r)
    seen = {r.genome.key() for r in records}
    by_id = {r.candidate_id: r for r in records}
    for generation in range(len({r.generation for r in records}), generations):
        rng = random.Random(f"evolve:{seed}:{generation}")
        if generation == 0:
            children = _first_generation(rng, breeder, population)
        else:
            children = _bred(rng, breeder, archive, by_id, seen, population)
        progress.show(f"generation {generation + 1}/{generations}", 0, len(children))
        results = evaluate([genome for genome, _, _ in children])
        batch = []
        for i, ((genome, parents, op), result) in enumerate(zip(children, results, strict=True)):
            score = objective.score(result.points) if result.failure is None else None
            cell = behaviour(result.points) if result.failure is None else None
            points = tuple(CurvePoint(**{**asdict(p), "q_correct": (), "q_tokens": ()}) for p in result.points)
            batch.append(SearchRecord(f"g{generation:03d}c{i:03d}", generation, genome, parents, op, points, score,
                                      cell, result.failure))
        atomic_write(out / "generations" / f"g{generation:03d}.json", json.dumps([r.to_json() for r in batch]))
        on_generation(batch)
        for r in batch:
            _offer(archive, r)
            seen.add(r.genome.key())
            by_id[r.candidate_id] = r
        records += batch
        best = max((r for r in records if r.ok), key=lambda r: r.score or 0.0, default=None)
        note = f"best {best.candidate_id} {best.score:.3f}, {len(archive.cells)} cells" if best else ""
        progress.show(f"generation {generation + 1}/{generations}", len(children), len(children), note)
    return records


def load_generations(out: Path) -> list[SearchRecord]:
    """The records of every whole generation written so far, in order."""
    paths = sorted((out / "generations").glob("g*.json"))
    return [SearchRecord.from_json(d) for path in paths for d in json.loads(path.read_text())]


def lineage(cid: str, records: Iterable[SearchRecord]) -> list[SearchRecord]:
    """``cid`` and every ancestor of it (both parents of a combination), newest first."""
    by_id = {r.candidate_id: r for r in records}
    out: list[SearchRecord] = []
    todo = [cid]
    while todo:
        current = todo.pop(0)
        if current in by_id and by_id[current] not in out:
            out.append(by_id[current])
            todo += list(by_id[current].parents)
    return sorted(out, key=lambda r: r.candidate_id, reverse=True)


def _offer(archive: Archive, r: SearchRecord) -> None:
    if r.ok and r.cell is not None and r.score is not None:
        archive.offer(r.candidate_id, r.cell, r.score)


def _first_generation(rng: random.Random, breeder: EvolveProposer,
                      population: int) -> list[tuple[Genome, tuple[str, ...], str]]:
    """The starts, then their single swaps and drops (interleaved across starts), then random children of them."""
    ids = {name: f"g000c{i:03d}" for i, name in enumerate(STARTS)}
    out: list[tuple[Genome, tuple[str, ...], str]] = [(g, (), f"start {name}") for name, g in STARTS.items()]
    steps = [[(g, (ids[name],), op) for g, op in single_steps(genome)] for name, genome in STARTS.items()]
    out += [step for step in chain.from_iterable(zip_longest(*steps)) if step is not None]
    unique: dict[str, tuple[Genome, tuple[str, ...], str]] = {}
    for candidate in out:
        unique.setdefault(candidate[0].key(), candidate)
    starts = list(STARTS.items())
    while len(unique) < population:
        (name, genome), (other, second) = rng.choice(starts), rng.choice(starts)
        child, parents, op = breeder.breed(rng, (ids[name], genome), (ids[other], second))
        unique.setdefault(child.key(), (child, parents, op))
    return list(unique.values())[:population]


def _bred(rng: random.Random, breeder: EvolveProposer, archive: Archive, by_id: dict[str, SearchRecord],
          seen: set[str], population: int) -> list[tuple[Genome, tuple[str, ...], str]]:
    """``population`` new genomes bred from archive elites, none seen before."""
    out = []
    elites = [cid for cid, _ in archive.elites()]
    for cid in archive.parents(rng, population):
        for _ in range(20):
            other = rng.choice(elites)
            child, parents, op = breeder.breed(rng, (cid, by_id[cid].genome), (other, by_id[other].genome))
            if child.key() not in seen:
                break
        seen.add(child.key())
        out.append((child, parents, op))
    return out
