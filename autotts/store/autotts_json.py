"""Reading and validating replay files in the AutoTTS release format.

A release file is a JSON list (optionally gzip-compressed) of question objects
with keys ``question``, ``gold_answer``, ``probe_freq``, ``each_branch`` (a list
of ``[probe_answers, branch_tokens, final_answer]``) and ``final_answers_trace``
(the final answers again). Validation is complete before anything is written,
and each failure is one line naming the file and the question index.

Input is bounded as well as typed, since a release file may come from anyone:
at most :data:`MAX_JSON_BYTES` once decompressed (read in chunks, so a gzip
bomb stops at the cap), nesting no deeper than the JSON parser's recursion
limit, integers within their columns' ranges, text that is valid UTF-8 (no
lone surrogates from ``\\ud800`` escapes), and model and benchmark names from
a safe charset, since they become parts of file names.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import io
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autotts.errors import IngestError

__all__ = [
    "MAX_JSON_BYTES",
    "PARSE_BYTES_PER_JSON_BYTE",
    "ReplayFile",
    "StoredBranch",
    "StoredQuestion",
    "default_names",
    "read_autotts_json",
]

# Python's JSON objects outweigh their text: lists nested in lists, the worst shape measured
# (benchmarks/ingest_memory.py), take 50 bytes per byte of JSON while parsed; release files take 18.
# So the cap, 12x the largest bundled file (30 questions x 128 traces: 2.7 MB), bounds parsing below
# PARSE_BYTES_PER_JSON_BYTE x MAX_JSON_BYTES = 1.9 GiB whatever a file holds.
MAX_JSON_BYTES = 32 * 2**20
PARSE_BYTES_PER_JSON_BYTE = 60
_MAX_INT32 = 2**31 - 1  # probe_freq, counts: INTEGER columns
_MAX_INT64 = 2**63 - 1  # branch_tokens: a BIGINT column


@dataclass(frozen=True, slots=True)
class StoredBranch:
    """One sampled trace: its probe answers, total length and final answer."""

    probe_answers: tuple[str, ...]
    branch_tokens: int
    final_answer: str


@dataclass(frozen=True, slots=True)
class StoredQuestion:
    question: str
    gold_answer: str
    probe_freq: int
    branches: tuple[StoredBranch, ...]


@dataclass(frozen=True, slots=True)
class ReplayFile:
    """A validated release file, ready to be written to the store."""

    path: Path
    sha256: str
    questions: tuple[StoredQuestion, ...]


def default_names(path: Path) -> tuple[str, str]:
    """(model, benchmark) of a release file: its folder name and its bare file name."""
    name = path.name
    while Path(name).suffix:
        name = Path(name).stem
    return path.resolve().parent.name, name


def read_autotts_json(path: str | Path) -> ReplayFile:
    """Read and fully validate one release file; raise :class:`IngestError` if it is bad."""
    path = Path(path)
    raw = _read_bytes(path)
    sha256 = hashlib.sha256(raw).hexdigest()
    try:
        data = _parse(raw)
        del raw  # the parsed objects alone are held while they are checked
    except (ValueError, UnicodeDecodeError) as exc:
        raise IngestError(f"{path}: not valid JSON ({_short(exc)})") from exc
    except RecursionError:
        raise IngestError(f"{path}: JSON nested too deeply (the release format nests 5 levels)") from None
    if not isinstance(data, list):
        raise IngestError(f"{path}: expected a JSON list of questions, got {type(data).__name__}")
    if not data:
        raise IngestError(f"{path}: the list of questions is empty")
    questions = tuple(_question(path, idx, item) for idx, item in enumerate(data))
    freqs = {q.probe_freq for q in questions}
    if len(freqs) > 1:
        first = questions[0].probe_freq
        idx = next(i for i, q in enumerate(questions) if q.probe_freq != first)
        raise IngestError(
            f"{path}: question {idx}: probe_freq {questions[idx].probe_freq} differs from "
            f"question 0's {first}; one file must use one probe interval"
        )
    return ReplayFile(path=path, sha256=sha256, questions=questions)


def _parse(raw: bytes) -> Any:
    """``json.loads`` with the cyclic garbage collector paused. Parsed JSON holds no cycles, and a file of
    millions of small lists would otherwise set off a collection every few hundred (4x the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return json.loads(raw)
    finally:
        if was_enabled:
            gc.enable()


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed if gzip; either way at most the cap."""
    try:
        with path.open("rb") as fh:
            raw = _capped(path, fh, "")
    except OSError as exc:
        raise IngestError(f"{path}: cannot read the file ({exc.strerror})") from exc
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            return _capped(path, fh, " once decompressed")
    except (EOFError, OSError, zlib.error) as exc:
        raise IngestError(f"{path}: corrupt or truncated gzip data ({_short(exc)})") from exc


def _capped(path: Path, fh: io.BufferedIOBase, how: str) -> bytes:
    """Read ``fh`` to its end, refusing (before holding more) anything past :data:`MAX_JSON_BYTES`."""
    data = fh.read(MAX_JSON_BYTES + 1)
    if len(data) > MAX_JSON_BYTES:
        raise IngestError(f"{path}: larger than {MAX_JSON_BYTES / 2**20:g} MiB{how}; split it into several files")
    return data


def _question(path: Path, idx: int, item: Any) -> StoredQuestion:
    where = f"{path}: question {idx}"
    if not isinstance(item, dict):
        raise IngestError(f"{where}: expected an object, got {type(item).__name__}")
    question = _typed(where, item, "question", str)
    gold = _typed(where, item, "gold_answer", str)
    probe_freq = _typed(where, item, "probe_freq", int)
    if not 0 < probe_freq <= _MAX_INT32:
        raise IngestError(f"{where}: probe_freq must be in 1..{_MAX_INT32}, got {probe_freq}")
    raw_branches = _typed(where, item, "each_branch", list)
    if not raw_branches:
        raise IngestError(f"{where}: each_branch is empty")
    branches = tuple(_branch(f"{where}: branch {b}", entry) for b, entry in enumerate(raw_branches))
    if "final_answers_trace" in item:
        trace = item["final_answers_trace"]
        if not isinstance(trace, list) or [b.final_answer for b in branches] != trace:
            raise IngestError(f"{where}: final_answers_trace does not match the branches' final answers")
    return StoredQuestion(question=question, gold_answer=gold, probe_freq=probe_freq, branches=branches)


def _branch(where: str, entry: Any) -> StoredBranch:
    if not (
        isinstance(entry, list)
        and len(entry) == 3
        and isinstance(entry[0], list)
        and _is_int(entry[1])
        and isinstance(entry[2], str)
    ):
        raise IngestError(f"{where}: expected [probe_answers: list, branch_tokens: int, final_answer: str]")
    probes, tokens, final = entry
    if not 0 <= tokens <= _MAX_INT64:
        raise IngestError(f"{where}: branch_tokens must be in 0..2^63-1, got {tokens}")
    _text(where, "final_answer", final)
    for p, answer in enumerate(probes):
        if not isinstance(answer, str):
            raise IngestError(f"{where}: probe {p} is {type(answer).__name__}, expected a string")
        _text(where, f"probe {p}", answer)
    return StoredBranch(probe_answers=tuple(probes), branch_tokens=tokens, final_answer=final)


def _typed(where: str, item: dict[str, Any], key: str, kind: type) -> Any:
    if key not in item:
        raise IngestError(f"{where}: missing key {key!r}")
    value = item[key]
    ok = _is_int(value) if kind is int else isinstance(value, kind)
    if not ok:
        raise IngestError(f"{where}: {key!r} should be {kind.__name__}, got {type(value).__name__}")
    if kind is str:
        _text(where, repr(key), value)
    return value


def _text(where: str, what: str, value: str) -> None:
    """Refuse text that is not valid UTF-8: JSON's ``\\ud800`` escapes decode to lone surrogates."""
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise IngestError(f"{where}: {what} is not valid UTF-8 text ({exc.reason} at character {exc.start})") from None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
