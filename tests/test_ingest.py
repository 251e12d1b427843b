"""Ingest: the release format goes in whole, or nothing changes."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from autotts.cli import main
from autotts.errors import IngestError
from autotts.store.ingest import ingest_files
from tests.builders import branch, question, write_release

GOOD = [
    question([branch(["1", "2"], 1200, "2"), branch(["ERR"], 300, "3")], gold="2"),
    question([branch([], 10, "5")], gold="5"),
]


def store_digest(store: Path) -> str:
    """A hash of every trace-table row, to show a failed ingest changed nothing."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        parts = [
            repr(con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall())
            for t in ("sources", "questions", "branches", "probes")
        ]
    finally:
        con.close()
    return hashlib.sha256("".join(parts).encode()).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    store = tmp_path / "s.duckdb"
    ingest_files([write_release(tmp_path / "M" / "bench.json", GOOD)], store)
    return store


def test_names_come_from_folder_and_file(tmp_path: Path) -> None:
    path = write_release(tmp_path / "Qwen-X" / "aime99.json.gz", GOOD)
    [result] = ingest_files([path], tmp_path / "s.duckdb")
    assert (result.model, result.benchmark) == ("Qwen-X", "aime99")
    assert (result.questions, result.branches, result.probes) == (2, 3, 3)


def test_rows_match_the_file(store: Path) -> None:
    con = duckdb.connect(str(store), read_only=True)
    assert con.execute("SELECT question_idx, gold_answer, probe_freq FROM questions ORDER BY 1").fetchall() == [
        (0, "2", 500),
        (1, "5", 500),
    ]
    assert con.execute(
        "SELECT question_idx, branch_idx, branch_tokens, final_answer, n_probes FROM branches ORDER BY 1, 2"
    ).fetchall() == [(0, 0, 1200, "2", 2), (0, 1, 300, "3", 1), (1, 0, 10, "5", 0)]
    assert con.execute("SELECT branch_idx, probe_idx, answer FROM probes ORDER BY 1, 2").fetchall() == [
        (0, 0, "1"),
        (0, 1, "2"),
        (1, 0, "ERR"),
    ]


def test_reingest_replaces_the_pair(store: Path, tmp_path: Path) -> None:
    ingest_files([write_release(tmp_path / "M" / "bench.json", GOOD[:1])], store)
    con = duckdb.connect(str(store), read_only=True)
    assert con.execute("SELECT count(*) FROM questions").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM sources").fetchone() == (1,)


def test_overrides_name_the_pair(tmp_path: Path) -> None:
    path = write_release(tmp_path / "M" / "bench.json", GOOD)
    [result] = ingest_files([path], tmp_path / "s.duckdb", model="other", benchmark="b2")
    assert (result.model, result.benchmark) == ("other", "b2")


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    """Each bad input -> (its file, a fragment the error message must contain)."""
    gz = tmp / "bad" / "truncated.json.gz"
    gz.parent.mkdir(parents=True, exist_ok=True)
    gz.write_bytes(gzip.compress(b'[{"question": 1}]' * 50)[:30])
    notjson = tmp / "bad" / "notjson.json"
    notjson.write_text("{not json")
    missing = question([branch(["1"], 500, "1")])
    del missing["gold_answer"]
    mistyped = question([branch(["1"], 500, "1")])
    mistyped["probe_freq"] = "500"
    return {
        "not json": (notjson, "not valid JSON"),
        "truncated gzip": (gz, "gzip"),
        "empty list": (write_release(tmp / "bad" / "empty.json", []), "empty"),
        "missing key": (
            write_release(tmp / "bad" / "missing.json", [GOOD[0], missing]),
            "question 1: missing key 'gold_answer'",
        ),
        "mistyped key": (
            write_release(tmp / "bad" / "mistyped.json", [mistyped]),
            "question 0: 'probe_freq' should be int",
        ),
        "branch not a triple": (
            write_release(tmp / "bad" / "triple.json", [question([["1", 500, "1"]])]),
            "question 0: branch 0: expected [probe_answers",
        ),
        "branch tokens not int": (
            write_release(tmp / "bad" / "tokens.json", [question([[["1"], "500", "1"]])]),
            "branch 0: expected",
        ),
        "negative tokens": (
            write_release(tmp / "bad" / "negative.json", [GOOD[0], question([branch(["1"], -5, "1")])]),
            "question 1: branch 0: branch_tokens must be in 0..2^63-1, got -5",
        ),
        "mismatched probe_freq": (
            write_release(tmp / "bad" / "freq.json", [GOOD[0], question([branch(["1"], 500, "1")], probe_freq=250)]),
            "question 1: probe_freq 250 differs",
        ),
        "probe not a string": (
            write_release(tmp / "bad" / "probe.json", [question([branch(["1", 2], 900, "1")])]),  # type: ignore[list-item]
            "question 0: branch 0: probe 1 is int",
        ),
        "tokens past BIGINT": (
            write_release(tmp / "bad" / "huge.json", [question([branch(["1"], 2**63, "1")])]),
            "question 0: branch 0: branch_tokens must be in 0..2^63-1, got 9223372036854775808",
        ),
        "probe_freq past INTEGER": (
            write_release(tmp / "bad" / "freq_huge.json", [question([branch(["1"], 5, "1")], probe_freq=2**31)]),
            "question 0: probe_freq must be in 1..2147483647",
        ),
        "nested 200k deep": (
            _write(tmp / "bad" / "deep.json", b"[" * 200_000 + b"]" * 200_000),
            "JSON nested too deeply",
        ),
        "lone surrogate": (
            _write(tmp / "bad" / "surrogate.json", json.dumps([question([branch(["\ud800"], 5, "1")])]).encode()),
            "question 0: branch 0: probe 0 is not valid UTF-8 text",
        ),
        "invalid UTF-8 bytes": (
            _write(tmp / "bad" / "latin1.json", json.dumps([question([branch(["x"], 5, "1")])]).encode()
                   .replace(b'"x"', b'"\xff"')),
            "not valid JSON",
        ),
        "bad folder name": (
            write_release(tmp / "bad model" / "b.json", GOOD),
            "model name 'bad model' is not allowed",
        ),
    }


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "case",
    [
        "not json",
        "truncated gzip",
        "empty list",
        "missing key",
        "mistyped key",
        "branch not a triple",
        "branch tokens not int",
        "negative tokens",
        "mismatched probe_freq",
        "probe not a string",
        "tokens past BIGINT",
        "probe_freq past INTEGER",
        "nested 200k deep",
        "lone surrogate",
        "invalid UTF-8 bytes",
        "bad folder name",
    ],
)
def test_bad_input_names_file_and_question_and_leaves_store_unchanged(
    case: str, store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, fragment = _bad_files(tmp_path)[case]
    before = store_digest(store)
    good_again = write_release(tmp_path / "M" / "bench.json", GOOD[:1])  # would replace the pair if it landed
    with pytest.raises(IngestError) as err:
        ingest_files([good_again, path], store)
    assert str(path) in str(err.value) and fragment in str(err.value)
    assert "\n" not in str(err.value)
    assert store_digest(store) == before

    code = main(["ingest", "autotts-json", str(good_again), str(path), "--store", str(store)])
    stderr = capsys.readouterr().err.strip()
    assert code != 0
    assert len(stderr.splitlines()) == 1 and str(path) in stderr
    assert store_digest(store) == before


def test_rows_past_the_per_call_bound_are_refused_before_the_store(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import autotts.store.ingest as ingest

    monkeypatch.setattr(ingest, "MAX_BATCH_BYTES", 2**9)  # a file of GOOD makes some 300 bytes of rows: two do not fit
    before = store_digest(store)
    files = [write_release(tmp_path / m / "b.json", GOOD) for m in ("N", "O")]
    assert len(ingest_files(files[:1], store)) == 1
    with pytest.raises(IngestError, match=f"^{files[1]}: the files before it and it make more than"):
        ingest_files(files, store)
    assert store_digest(store) != before  # the first call landed; the refused one added nothing to it
    assert duckdb.connect(str(store), read_only=True).execute("SELECT count(*) FROM sources WHERE model = 'O'"
                                                             ).fetchone() == (0,)


def test_failure_while_writing_rolls_back(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from autotts.store.batch import Batch

    before = store_digest(store)
    real = Batch.apply

    def apply_then_fail(self: Batch, con: duckdb.DuckDBPyConnection) -> None:
        real(self, con)  # every row written inside the transaction, then the disk fills
        raise RuntimeError("disk full")

    monkeypatch.setattr(Batch, "apply", apply_then_fail)
    files = [write_release(tmp_path / "M" / "bench.json", GOOD[:1]), write_release(tmp_path / "N" / "x.json", GOOD)]
    with pytest.raises(RuntimeError):
        ingest_files(files, store)
    assert store_digest(store) == before


@pytest.mark.parametrize("name", ["../../etc", "a/b", ".hidden", "-flag", "x" * 129, "sp ace", "semi;colon"])
def test_unsafe_model_names_are_refused(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_release(tmp_path / "M" / "b.json", GOOD)
    code = main(["ingest", "autotts-json", str(path), f"--model={name}", "--store", str(tmp_path / "s.duckdb")])
    err = capsys.readouterr().err
    assert code == 1 and len(err.splitlines()) == 1 and "model name" in err
    assert not (tmp_path / "s.duckdb").exists()


def test_ingest_twice_into_fresh_stores_gives_identical_files(tmp_path: Path) -> None:
    files = [write_release(tmp_path / "data" / "M" / "b1.json", GOOD),
             write_release(tmp_path / "data" / "N" / "b2.json.gz", GOOD[:1])]
    digests = []
    for run in ("first", "second"):
        store = tmp_path / run / "traces.duckdb"
        ingest_files(files, store)
        digests.append(hashlib.sha256(store.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
