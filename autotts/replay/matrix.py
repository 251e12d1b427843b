"""The replay data of one (model, benchmark), loaded once from the store as arrays.

Answers are interned to integer ids per question (id -> string through
``vocab[q]``), so vectorised evaluators compare integers and the step-wise
engine hands controllers the very same string objects, whose comparisons are
identity checks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from autotts.errors import StoreError
from autotts.replay.episode import QuestionTraces
from autotts.store.engine import duckdb
from autotts.store.names import is_safe_name

__all__ = ["QuestionTraces", "ReplayMatrix", "count_questions", "list_stores", "load_matrix"]


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
    first_question: int = 0  # the store's question_idx of row 0: a chunk of a larger store starts later

    @property
    def n_questions(self) -> int:
        return int(self.probes.shape[0])

    def questions(self, start: int, stop: int) -> ReplayMatrix:
        """Rows ``start:stop`` as a matrix of their own (views, no copy), trimmed to their own width and depth."""
        n_branches = self.n_branches[start:stop]
        n_probes = self.n_probes[start:stop]
        width = int(n_branches.max(initial=1))
        depth = max(1, int(n_probes.max(initial=1)))
        return replace(
            self,
            vocab=self.vocab[start:stop],
            probes=self.probes[start:stop, :width, :depth],
            n_probes=n_probes[:, :width],
            branch_tokens=self.branch_tokens[start:stop, :width],
            final_ids=self.final_ids[start:stop, :width],
            gold_ids=self.gold_ids[start:stop],
            n_branches=n_branches,
            first_question=self.first_question + start,
        )

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
        return tuple(self._build_traces(q) for q in range(self.n_questions))

    def question_traces(self, q: int) -> QuestionTraces:
        """Question ``q``'s entry of :attr:`traces`, built alone while the others are not needed: the few
        sample episodes that check a fast path would otherwise pay for every question's strings."""
        built = self.__dict__.get("traces")
        return built[q] if built is not None else self._build_traces(q)

    def _build_traces(self, q: int) -> QuestionTraces:
        words = self.vocab[q]
        nb = int(self.n_branches[q])
        counts = self.n_probes[q, :nb].tolist()
        rows = self.probes[q, :nb].tolist()
        return QuestionTraces(
            probes=tuple(tuple(words[i] for i in row[:n]) for row, n in zip(rows, counts, strict=True)),
            finals=tuple(words[i] for i in self.final_ids[q, :nb].tolist()),
            tokens=tuple(self.branch_tokens[q, :nb].tolist()),
            probe_freq=self.probe_freq,
        )


def list_stores(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every (model, benchmark) pair in the store, sorted."""
    return [(m, b) for m, b in con.execute("SELECT model, benchmark FROM sources ORDER BY model, benchmark").fetchall()]


def count_questions(con: duckdb.DuckDBPyConnection, model: str, benchmark: str) -> int:
    """How many questions the store holds for (model, benchmark)."""
    row = con.execute("SELECT count(*) FROM questions WHERE model = ? AND benchmark = ?", [model, benchmark]).fetchone()
    assert row is not None
    return int(row[0])


def load_matrix(
    con: duckdb.DuckDBPyConnection, model: str, benchmark: str, questions: range | None = None
) -> ReplayMatrix:
    """Load (model, benchmark) from the store into a :class:`ReplayMatrix`; only ``questions`` if given.

    A question's rows (its answer ids, its branches) do not depend on which
    other questions are loaded with it, so a store too large to hold at once
    can be replayed one range of questions after another. Answers become ids
    inside DuckDB: only integers cross into Python, apart from the vocabulary.
    """
    for kind, name in (("model", model), ("benchmark", benchmark)):
        if not is_safe_name(name):  # names become parts of file names: a store made by hand may hold anything
            raise StoreError(f"{kind} name {name!r} is not allowed (letters, digits and . _ + - only)")
    n_total = count_questions(con, model, benchmark)
    if n_total == 0:
        raise StoreError(f"store has no traces for model {model!r}, benchmark {benchmark!r}")
    span = questions if questions is not None else range(n_total)
    if span.step != 1 or span.start < 0 or span.stop > n_total or len(span) == 0:
        raise StoreError(f"{model}/{benchmark}: questions {span.start}..{span.stop - 1} are not within its "
                         f"{n_total} questions")
    cursor = con.cursor()  # its own temporary table, invisible to the caller's connection
    try:
        return _load_span(cursor, model, benchmark, span)
    finally:
        cursor.close()


def _load_span(con: duckdb.DuckDBPyConnection, model: str, benchmark: str, span: range) -> ReplayMatrix:
    where = "model = ? AND benchmark = ? AND question_idx >= ? AND question_idx < ?"
    key = [model, benchmark, span.start, span.stop]
    meta = con.execute(f"SELECT count(*), min(probe_freq), max(probe_freq) FROM questions WHERE {where}", key
                       ).fetchone()
    assert meta is not None
    n_q, freq_lo, freq_hi = meta
    if freq_lo != freq_hi:
        raise StoreError(f"{model}/{benchmark}: questions use different probe_freq values")
    # A question's answer ids: its distinct answers (probes, finals, gold) in sorted order.
    con.execute(
        f"""
        CREATE TEMP TABLE answer_ids AS
        SELECT question_idx, answer,
               (row_number() OVER (PARTITION BY question_idx ORDER BY answer) - 1)::INTEGER AS id FROM (
            SELECT question_idx, answer FROM probes WHERE {where}
            UNION SELECT question_idx, final_answer FROM branches WHERE {where}
            UNION SELECT question_idx, gold_answer FROM questions WHERE {where}
        )
        """,
        key * 3,
    )
    vocab = tuple(
        tuple(words) for (words,) in con.execute(
            "SELECT list(answer ORDER BY id) FROM answer_ids GROUP BY question_idx ORDER BY question_idx").fetchall()
    )
    branches = con.execute(
        f"""SELECT b.question_idx - ? AS q, branch_idx, branch_tokens, id, n_probes
            FROM (SELECT * FROM branches WHERE {where}) b
            JOIN answer_ids a ON a.question_idx = b.question_idx AND a.answer = b.final_answer""",
        [span.start, *key],
    ).fetchnumpy()
    qi = branches["q"].astype(np.int64)
    bi = branches["branch_idx"].astype(np.int64)
    n_branches = np.bincount(qi, minlength=n_q).astype(np.int32)
    width = int(n_branches.max())
    n_probes = np.zeros((n_q, width), dtype=np.int32)
    tokens = np.zeros((n_q, width), dtype=np.int64)
    finals = np.full((n_q, width), -1, dtype=np.int32)
    n_probes[qi, bi] = branches["n_probes"]
    tokens[qi, bi] = branches["branch_tokens"]
    finals[qi, bi] = branches["id"]

    found = con.execute(
        f"""SELECT p.question_idx - ? AS q, branch_idx, probe_idx, id
            FROM (SELECT * FROM probes WHERE {where}) p
            JOIN answer_ids a ON a.question_idx = p.question_idx AND a.answer = p.answer""",
        [span.start, *key],
    ).fetchnumpy()
    depth = max(1, int(n_probes.max()))
    probes = np.full((n_q, width, depth), -1, dtype=np.int32)
    probes[found["q"].astype(np.int64), found["branch_idx"].astype(np.int64), found["probe_idx"].astype(np.int64)] = (
        found["id"])

    gold = con.execute(
        f"""SELECT id FROM (SELECT * FROM questions WHERE {where}) g
            JOIN answer_ids a ON a.question_idx = g.question_idx AND a.answer = g.gold_answer
            ORDER BY g.question_idx""",
        key,
    ).fetchnumpy()
    con.execute("DROP TABLE answer_ids")
    return ReplayMatrix(
        model=model,
        benchmark=benchmark,
        probe_freq=int(freq_lo),
        vocab=vocab,
        probes=probes,
        n_probes=n_probes,
        branch_tokens=tokens,
        final_ids=finals,
        gold_ids=gold["id"].astype(np.int32),
        n_branches=n_branches,
        first_question=span.start,
    )
