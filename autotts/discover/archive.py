"""MAP-Elites over behaviour: the best candidate of each cell of (cost at beta 0, cost at beta 1, width, depth).

A candidate's cell is where its mean curve over the search models falls on
four behaviour axes: average tokens at the lowest and at the highest beta,
branches opened and tokens of the deepest branch at the highest beta. Each
cell keeps its best-scoring candidate, so a cheap design or a narrow, deep one
survives next to the overall leaders and can still be bred from; parents are
drawn half from the occupied cells uniformly, half by rank among the best.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from autotts.discover.selection import CurvePoint

__all__ = ["AXES", "Archive", "behaviour"]

# bin edges of each axis: a value falls in the bin of the first edge above it
AXES: dict[str, tuple[float, ...]] = {
    "tokens at the lowest beta": (50e3, 70e3, 100e3, 150e3, 220e3),
    "tokens at the highest beta": (250e3, 350e3, 450e3, 550e3, 700e3),
    "branches opened at the highest beta": (6, 12, 20, 32),
    "deepest branch's tokens at the highest beta": (12e3, 18e3, 25e3),
}

Cell = tuple[int, ...]


def behaviour(points: Sequence[CurvePoint]) -> Cell:
    """The cell of a curve: each axis value (means over models) binned by :data:`AXES`."""
    low, high = min(p.beta for p in points), max(p.beta for p in points)
    at_low = [p for p in points if p.beta == low]
    at_high = [p for p in points if p.beta == high]
    values = (np.mean([p.avg_tokens for p in at_low]), np.mean([p.avg_tokens for p in at_high]),
              np.mean([p.avg_opened for p in at_high]), np.mean([p.avg_sequential for p in at_high]))
    return tuple(bisect.bisect(edges, float(v)) for edges, v in zip(AXES.values(), values, strict=True))


@dataclass
class Archive:
    """Cell -> (candidate id, score) of its best candidate so far."""

    cells: dict[Cell, tuple[str, float]] = field(default_factory=dict)

    def offer(self, cid: str, cell: Cell, score: float) -> bool:
        """Keep ``cid`` if its cell is empty or it beats the cell's elite (ties keep the older one)."""
        held = self.cells.get(cell)
        if held is None or score > held[1]:
            self.cells[cell] = (cid, score)
            return True
        return False

    def parents(self, rng: random.Random, count: int, top_share: float = 0.5) -> list[str]:
        """``count`` parent ids: a ``top_share`` of them by rank among the elites (the best most often), the
        rest uniformly over the occupied cells."""
        elites = sorted(self.cells.values(), key=lambda e: (-e[1], e[0]))
        ids = [cid for cid, _ in elites]
        weights = [1.0 / (1 + rank) for rank in range(len(ids))]
        return [rng.choices(ids, weights)[0] if rng.random() < top_share else rng.choice(ids) for _ in range(count)]

    def elites(self) -> list[tuple[str, float]]:
        """Every cell's elite, best first."""
        return sorted(self.cells.values(), key=lambda e: (-e[1], e[0]))
