"""A controller cannot reach the gold answer or unrevealed probes through its question object."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from types import FunctionType, MethodType, ModuleType
from typing import Any

from autotts.controllers.base import Controller
from autotts.evaluate.runner import run_episodes
from autotts.replay.episode import QuestionView
from autotts.replay.matrix import load_matrix
from autotts.store.connection import open_store
from autotts.store.ingest import ingest_files
from tests.builders import branch, question, write_release


def reachable(root: Any) -> Iterator[Any]:
    """Every object reachable from ``root`` through instance attributes (dict or slots) and containers."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type | ModuleType | FunctionType | MethodType):
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
        for cls in type(obj).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if hasattr(obj, slot):
                    stack.append(getattr(obj, slot))
        stack.extend(getattr(obj, "__dict__", {}).values())


class Snoop(Controller):
    """Opens one branch, then collects every string reachable from its question object."""

    def __init__(self) -> None:
        self.found: set[str] = set()
        self.referents: list[list[Any]] = []

    def solve(self, question: QuestionView) -> str | None:
        question.probe_new()
        self.found |= {o for o in reachable(question) if isinstance(o, str)}
        self.referents.append(gc.get_referents(question))
        return None


def test_gold_and_unrevealed_probes_are_unreachable(tmp_path: Path) -> None:
    hidden = [f"HIDDEN-{i}" for i in range(6)]
    data = [
        question(
            [branch(["seen-0", hidden[0], hidden[1]], 3000, hidden[2]), branch(["seen-1", hidden[3]], 2000, hidden[4])],
            gold="GOLD-SECRET",
        )
    ]
    store = tmp_path / "s.duckdb"
    ingest_files([write_release(tmp_path / "m" / "b.json", data)], store)
    matrix = load_matrix(open_store(store, read_only=True), "m", "b")
    snoop = Snoop()
    results = run_episodes(matrix, snoop, seeds=4, trace_seeds=0)

    assert results.episodes == 4
    assert not any(s.startswith(("HIDDEN", "GOLD")) for s in snoop.found)
    # The object's own references: its class and one integer ticket, nothing else.
    for refs in snoop.referents:
        assert all(isinstance(r, int | type) for r in refs), refs
