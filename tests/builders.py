"""Builders for small literal replay data in the AutoTTS release format."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any


def branch(probes: list[str], tokens: int, final: str) -> list[Any]:
    return [probes, tokens, final]


def question(branches: list[list[Any]], gold: str = "42", text: str = "q", probe_freq: int = 500) -> dict[str, Any]:
    return {
        "question": text,
        "final_answers_trace": [b[2] for b in branches],
        "each_branch": branches,
        "gold_answer": gold,
        "probe_freq": probe_freq,
    }


def write_release(path: Path, questions: list[dict[str, Any]]) -> Path:
    """Write ``questions`` in the AutoTTS release format (gzip if the name ends in .gz)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(questions).encode()
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)
    return path
