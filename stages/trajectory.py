"""Reading a discovery run's trajectory: the best policy so far after each round, and its search score."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from autotts.errors import ConfigError

__all__ = ["RoundBest", "round_bests"]


@dataclass(frozen=True, slots=True)
class RoundBest:
    """The best-so-far candidate once a round is over."""

    round: int
    candidate: str
    policy: Path
    objective: float


def round_bests(discovery: str | Path) -> list[RoundBest]:
    """One entry per round, from the ``summary.json`` the discover stage's folder holds."""
    folder = Path(discovery)
    path = folder / "summary.json"
    if not path.is_file():
        raise ConfigError(f"{folder}: no summary.json (is it a discover stage output?)")
    out: list[RoundBest] = []
    for r in json.loads(path.read_text())["rounds"]:
        if r["best"] is not None and (not out or r["score"] > out[-1].objective):
            out.append(RoundBest(r["round"], r["best"], folder / "candidates" / r["best"] / "candidate.py", r["score"]))
        elif out:
            out.append(RoundBest(r["round"], out[-1].candidate, out[-1].policy, out[-1].objective))
    return out
