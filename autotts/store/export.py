"""Reading a (model, benchmark) back out of the store, and writing it in the AutoTTS release format.

The release format is the exchange format of replay data: a store built by
``autotts rollout`` exported here can be ingested anywhere (or shared) and
replays exactly as the store it came from.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import duckdb

from autotts.errors import StoreError
from autotts.files import atomic_write
from autotts.store.autotts_json import StoredBranch, StoredQuestion
from autotts.store.connection import open_store

__all__ = ["export_autotts_json", "read_replay", "to_release_json"]


def read_replay(con: duckdb.DuckDBPyConnection, model: str, benchmark: str) -> tuple[StoredQuestion, ...]:
    """Every question of (model, benchmark) in stored order; empty if the pair is absent."""
    key = [model, benchmark]
    probes: dict[tuple[int, int], list[str]] = {}
    for qi, bi, answer in con.execute(
        "SELECT question_idx, branch_idx, answer FROM probes WHERE model = ? AND benchmark = ? "
        "ORDER BY question_idx, branch_idx, probe_idx",
        key,
    ).fetchall():
        probes.setdefault((qi, bi), []).append(answer)
    branches: dict[int, list[StoredBranch]] = {}
    for qi, bi, tokens, final in con.execute(
        "SELECT question_idx, branch_idx, branch_tokens, final_answer FROM branches WHERE model = ? AND benchmark = ? "
        "ORDER BY question_idx, branch_idx",
        key,
    ).fetchall():
        branches.setdefault(qi, []).append(StoredBranch(tuple(probes.get((qi, bi), ())), int(tokens), final))
    rows = con.execute(
        "SELECT question_idx, question, gold_answer, probe_freq FROM questions WHERE model = ? AND benchmark = ? "
        "ORDER BY question_idx",
        key,
    ).fetchall()
    return tuple(
        StoredQuestion(question=text, gold_answer=gold, probe_freq=int(freq), branches=tuple(branches.get(qi, ())))
        for qi, text, gold, freq in rows
    )


def to_release_json(questions: tuple[StoredQuestion, ...]) -> list[dict[str, Any]]:
    """The release's list of question objects, keys in the release's order."""
    return [
        {
            "question": q.question,
            "final_answers_trace": [b.final_answer for b in q.branches],
            "each_branch": [[list(b.probe_answers), b.branch_tokens, b.final_answer] for b in q.branches],
            "gold_answer": q.gold_answer,
            "probe_freq": q.probe_freq,
        }
        for q in questions
    ]


def export_autotts_json(store: str | Path, model: str, benchmark: str, out: str | Path) -> int:
    """Write (model, benchmark) to ``out`` (gzip when it ends in ``.gz``), atomically; return the question count."""
    out = Path(out)
    con = open_store(store, read_only=True)
    try:
        questions = read_replay(con, model, benchmark)
    finally:
        con.close()
    if not questions:
        raise StoreError(f"{store}: no traces for model {model!r}, benchmark {benchmark!r}")
    raw = json.dumps(to_release_json(questions)).encode()
    data = gzip.compress(raw, mtime=0) if out.suffix == ".gz" else raw
    try:
        atomic_write(out, data)
    except OSError as exc:
        raise StoreError(f"{out}: cannot write the export ({exc.strerror})") from exc
    return len(questions)
