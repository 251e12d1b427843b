"""LLM responses cached by prompt hash in the run directory, so re-running a round replays them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from autotts.files import atomic_write

__all__ = ["Completion", "ResponseCache"]


@dataclass(frozen=True, slots=True)
class Completion:
    """One model reply and its token counts."""

    text: str
    tokens_in: int
    tokens_out: int


class ResponseCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def key(*parts: str) -> str:
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def get(self, key: str) -> Completion | None:
        path = self.folder / f"{key}.json"
        return Completion(**json.loads(path.read_text())) if path.exists() else None

    def put(self, key: str, completion: Completion) -> None:
        atomic_write(self.folder / f"{key}.json", json.dumps(asdict(completion)))
