"""The replay data of one (model, benchmark), loaded once from the store as arrays.

Answers are interned to integer ids per question (id -> string through
``vocab[q]``), so vectorised evaluators compare integers and the step-wise
engine hands controllers the very same string objects, whose comparisons are
identity checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import duckdb
import numpy as np

from autotts.errors import StoreError

__all__ = ["QuestionTraces", "ReplayMatrix", "list_stores", "load_matrix"]


@dataclass(frozen=True, slots=True)
class QuestionTraces:
    """What the step-wise engine needs of one question: no gold answer in here.

    ``probes[b]`` are branch ``b``'s probe answers in stored order.
    """

    probes: tuple[tuple[str, ...], ...]
    finals: tuple[str, ...]
    tokens: tuple[int, ...]
    probe_freq: int


@dataclass(frozen=True, eq=False)
class ReplayMatrix:
    """Arrays for one store: Q questions x B branches x D probe slots (padded with -1)."""

    model: str
    benchmark: str
    probe_freq: int
    vocab: tuple[tuple[str, ...], ...]
    probes: np.ndarray  # int32 [Q, B, D]
    n_probes: np.ndarray  # int32 [Q, B]
    branch_tokens: np.ndarray  # int64 [Q, B]
    final_ids: np.ndarray  # int32 [Q, B]
    gold_ids: np.ndarray  # int32 [Q]
    n_branches: np.ndarray  # int32 [Q]

    @property
    def n_questions(self) -> int:
        return int(self.probes.shape[0])

    @property
    def gold_answers(self) -> tuple[str, ...]:
        return tuple(self.vocab[q][g] for q, g in enumerate(self.gold_ids.tolist()))

    def answer_strings(self, ids: np.ndarray) -> np.ndarray:
        """``[seeds, questions]`` answer ids to answer strings (``-1`` -> ``None``)."""
        out = np.empty(ids.shape, dtype=object)
        for q, words in enumerate(self.vocab):
            lookup = np.empty(len(words) + 1, dtype=object)
            lookup[:-1] = words
            lookup[-1] = None
            out[:, q] = lookup[ids[:, q]]
        return out

    @cached_property
    def traces(self) -> tuple[QuestionTraces, ...]:
        """Per-question tuples of strings for the step-wise (pure Python) engine."""
        out = []
        for q in range(self.n_questions):
            words = self.vocab[q]
            nb = int(self.n_branches[q])
            counts = self.n_probes[q, :nb].tolist()
            rows = self.probes[q, :nb].tolist()
            out.append(
                QuestionTraces(
                    probes=tuple(tuple(words[i] for i in row[:n]) for row, n in zip(rows, counts, strict=True)),
                    finals=tuple(words[i] for i in self.final_ids[q, :nb].tolist()),
                    tokens=tuple(self.branch_tokens[q, :nb].tolist()),
                    probe_freq=self.probe_freq,
                )
            )
        return tuple(out)


def list_stores(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every (model, benchmark) pair in the store, sorted."""
    return [(m, b) for m, b in con.execute("SELECT model, benchmark FROM sources ORDER BY model, benchmark").fetchall()]


def load_matrix(con: duckdb.DuckDBPyConnection, model: str, benchmark: str) -> ReplayMatrix:
    """Load (model, benchmark) from the store into a :class:`ReplayMatrix`."""
    key = [model, benchmark]
    meta = con.execute(
        "SELECT count(*), min(probe_freq), max(probe_freq) FROM questions WHERE model = ? AND benchmark = ?", key
    ).fetchone()
    assert meta is not None
    n_q, freq_lo, freq_hi = meta
    if n_q == 0:
        raise StoreError(f"store has no traces for model {model!r}, benchmark {benchmark!r}")
    if freq_lo != freq_hi:
        raise StoreError(f"{model}/{benchmark}: questions use different probe_freq values")
    vocab_rows = con.execute(
        """
        SELECT question_idx, list(answer ORDER BY answer) FROM (
            SELECT question_idx, answer FROM probes WHERE model = ? AND benchmark = ?
            UNION SELECT question_idx, final_answer FROM branches WHERE model = ? AND benchmark = ?
            UNION SELECT question_idx, gold_answer FROM questions WHERE model = ? AND benchmark = ?
        ) GROUP BY question_idx ORDER BY question_idx
        """,
        key * 3,
    ).fetchall()
    vocab = tuple(tuple(words) for _, words in vocab_rows)
    ids = [{w: i for i, w in enumerate(words)} for words in vocab]

    branches = con.execute(
        """SELECT question_idx, branch_idx, branch_tokens, final_answer, n_probes FROM branches
           WHERE model = ? AND benchmark = ? ORDER BY question_idx, branch_idx""",
        key,
    ).fetchnumpy()
    qi = branches["question_idx"].astype(np.int64)
    bi = branches["branch_idx"].astype(np.int64)
    n_branches = np.bincount(qi, minlength=n_q).astype(np.int32)
    width = int(n_branches.max())
    n_probes = np.zeros((n_q, width), dtype=np.int32)
    tokens = np.zeros((n_q, width), dtype=np.int64)
    finals = np.full((n_q, width), -1, dtype=np.int32)
    n_probes[qi, bi] = branches["n_probes"]
    tokens[qi, bi] = branches["branch_tokens"]
    finals[qi, bi] = [ids[q][a] for q, a in zip(qi.tolist(), branches["final_answer"].tolist(), strict=True)]

    probes_np = con.execute(
        "SELECT question_idx, branch_idx, probe_idx, answer FROM probes WHERE model = ? AND benchmark = ?", key
    ).fetchnumpy()
    depth = max(1, int(n_probes.max()))
    probes = np.full((n_q, width, depth), -1, dtype=np.int32)
    pq = probes_np["question_idx"].astype(np.int64)
    probes[pq, probes_np["branch_idx"].astype(np.int64), probes_np["probe_idx"].astype(np.int64)] = [
        ids[q][a] for q, a in zip(pq.tolist(), probes_np["answer"].tolist(), strict=True)
    ]

    gold = con.execute(
        "SELECT gold_answer FROM questions WHERE model = ? AND benchmark = ? ORDER BY question_idx", key
    ).fetchall()
    gold_ids = np.array([ids[q][g] for q, (g,) in enumerate(gold)], dtype=np.int32)
    return ReplayMatrix(
        model=model,
        benchmark=benchmark,
        probe_freq=int(freq_lo),
        vocab=vocab,
        probes=probes,
        n_probes=n_probes,
        branch_tokens=tokens,
        final_ids=finals,
        gold_ids=gold_ids,
        n_branches=n_branches,
    )
