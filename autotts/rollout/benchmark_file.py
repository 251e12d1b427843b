"""Reading a benchmark to roll out: JSONL lines with ``question`` and ``answer``.

Every line is validated before any generation starts, so a typo on line 29 of
a benchmark fails in a second instead of after hours of sampling.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autotts.errors import RolloutError

__all__ = ["Benchmark", "BenchmarkItem", "read_benchmark"]


@dataclass(frozen=True, slots=True)
class BenchmarkItem:
    """One question; ``answer`` is the gold answer as text (numbers are converted)."""

    question: str
    answer: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Benchmark:
    path: Path
    sha256: str
    items: tuple[BenchmarkItem, ...]

    @property
    def name(self) -> str:
        """The default benchmark name: the file name without its extensions."""
        return self.path.name.split(".")[0]


def read_benchmark(path: str | Path) -> Benchmark:
    """Read and validate a JSONL benchmark; raise :class:`RolloutError` naming the file and line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RolloutError(f"{path}: cannot read the benchmark file ({exc.strerror})") from exc
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise RolloutError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    items = tuple(_item(f"{path}:{n}", line) for n, line in enumerate(lines, start=1) if line.strip())
    if not items:
        raise RolloutError(f"{path}: the benchmark has no questions")
    return Benchmark(path=path, sha256=hashlib.sha256(raw).hexdigest(), items=items)


def _item(where: str, line: str) -> BenchmarkItem:
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise RolloutError(f"{where}: not valid JSON ({str(exc).splitlines()[0]})") from exc
    if not isinstance(obj, dict):
        raise RolloutError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    for key in ("question", "answer"):
        if key not in obj:
            raise RolloutError(f"{where}: missing key {key!r}")
    question = obj["question"]
    if not isinstance(question, str) or not question.strip():
        raise RolloutError(f"{where}: 'question' should be a non-empty string")
    answer = _text(where, "answer", obj["answer"])
    if not answer:
        raise RolloutError(f"{where}: 'answer' is empty")
    qid = _text(where, "id", obj["id"]) if obj.get("id") is not None else None
    return BenchmarkItem(question=question, answer=answer, id=qid)


def _text(where: str, key: str, value: Any) -> str:
    """Strings stay as they are (stripped); integers and floats become their JSON text."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return json.dumps(value)
    raise RolloutError(f"{where}: {key!r} should be a string or a number, got {type(value).__name__}")
