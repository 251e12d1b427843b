"""Reading a discovery run's history: the best policy after each round, and its search objective."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from autotts.errors import ConfigError

__all__ = ["RoundBest", "round_bests"]


@dataclass(frozen=True, slots=True)
class RoundBest:
    """The best-so-far policy once a round is over."""

    round: int
    policy: Path
    objective: float | None


def round_bests(discovery: str | Path) -> list[RoundBest]:
    """One entry per round, from ``history.jsonl`` in the discover stage's folder."""
    folder = Path(discovery)
    history = folder / "history.jsonl"
    if not history.is_file():
        raise ConfigError(f"{folder}: no history.jsonl (is it a discover stage output?)")
    out = []
    for line in history.read_text().splitlines():
        if line.strip():
            rec = json.loads(line)
            out.append(RoundBest(int(rec["round"]), folder / rec["best"], rec.get("objective")))
    return out
