"""The wire format between the trusted parent and a sandbox worker: frames, action codes, logs.

Everything crosses one pipe each way as frames: a 4-byte kind, a 64-bit
little-endian payload length, the payload. The parent reads worker frames
with a cap on the payload size and parses every payload strictly (exact
lengths, strict UTF-8, JSON only for small control messages); nothing a
worker sends is ever unpickled or executed.

An action is one int32: ``branch << 2 | op``. ``BRANCH`` (open the next
branch and probe it) and ``READ`` (open the next branch and read it whole)
carry no branch index; ``CONTINUE`` and ``PRUNE`` name an opened branch.
A log holds only actions the engine accepted: one that raised changed
nothing, so it is not part of the episode.

The same module serves the worker (which imports only the standard library
and the controller API) and the parent; ``live`` can speak the strict mode
(one ``ACT``/``RESP`` round trip per action) to run an untrusted controller
against a real model.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BRANCH",
    "CONTINUE",
    "FAILURE_BYTES",
    "HEADER",
    "PRUNE",
    "READ",
    "EpisodeLogs",
    "FrameReader",
    "ProtocolError",
    "action_bound",
    "decode_answer",
    "decode_json",
    "decode_logs",
    "decode_response",
    "describe_action",
    "encode_answer",
    "encode_json",
    "encode_logs",
    "encode_response",
    "frame",
    "worker_frame_limits",
    "write_frame",
]

BRANCH, CONTINUE, READ, PRUNE = 0, 1, 2, 3
_OP_NAMES = ("branch", "continue", "read", "prune")



def action_bound(probe_counts: Sequence[int]) -> int:
    """The most actions one episode may take on a question whose branches have ``probe_counts`` probes.

    Each branch can reveal or change something in at most ``probes + 2`` actions (its probes, opening
    with the first; its final answer; its prune). Beyond those only free repeats are left, such as pruning
    a pruned branch or continuing a finished one, legal but without end: twice the informative actions
    leaves an honest controller room for a few, and keeps a log's replay (strict mode: one pipe round trip
    per action) in proportion to the question.
    """
    return 2 * sum(n + 2 for n in probe_counts)


HEADER = struct.Struct("<4sQ")
_COUNT = struct.Struct("<I")
_RESPONSE = struct.Struct("<BBq")  # status (0 ok, 1 refused), finished, total tokens so far

# Parent -> worker: the job, the candidate's source, the traces (fast mode), an episode to run and each
# action's response (strict mode), the end of the strict episodes.
JOB, SOURCE, DATA, EPISODE, RESPONSE, END = b"JOB ", b"SRC ", b"DATA", b"EPIS", b"RESP", b"END "
# Worker -> parent: one group's logs (fast mode), an action and an episode's answer (strict mode), a failure,
# the end of the work.
LOGS, ACTION, ANSWER, FAIL, DONE = b"LOGS", b"ACT ", b"ANS ", b"FAIL", b"DONE"
FAILURE_BYTES = 64 * 1024
_LITTLE = sys.byteorder == "little"


class ProtocolError(Exception):
    """A worker sent something that is not a well-formed frame of the expected kind."""


def describe_action(code: int) -> str:
    """``code`` in words, e.g. ``continue(3)``."""
    op, branch = code & 3, code >> 2
    return _OP_NAMES[op] if op in (BRANCH, READ) else f"{_OP_NAMES[op]}({branch})"


def frame(kind: bytes, payload: bytes = b"") -> bytes:
    return HEADER.pack(kind, len(payload)) + payload


def write_frame(fd: int, kind: bytes, payload: bytes = b"") -> None:
    """Write one whole frame to ``fd`` (blocking)."""
    view = memoryview(frame(kind, payload))
    while view:
        view = view[os.write(fd, view):]


def worker_frame_limits(logs_bytes: int, answer_bytes: int) -> dict[bytes, int]:
    """The largest payload of each kind a worker may send: only a group's logs are large.

    The others are small by nature, and a failure report is parsed as JSON, which inflates: 60 MiB of
    ``{},`` parse into twenty million dicts, about 1.5 GB. So each kind is held to its own size before
    any of it is buffered; the worker cuts a report's message and excerpt to 600 and 2,000 characters,
    which JSON's escapes make at most 32 KiB.
    """
    return {LOGS: logs_bytes, ACTION: 4, ANSWER: 1 + answer_bytes, FAIL: FAILURE_BYTES, DONE: 0}


class FrameReader:
    """Cuts frames out of a byte stream fed in pieces; refuses a payload over its limit before buffering it.

    ``limit`` is the largest payload of any kind, or each accepted kind's own largest (a kind not named
    is refused). :meth:`read` is the blocking face (the worker's): the next frame from a file descriptor,
    read in large chunks, so that a response costs one system call.
    """

    def __init__(self, limit: int | Mapping[bytes, int]) -> None:
        self.limit = limit
        self._buffer = bytearray()
        self._queue: list[tuple[bytes, bytes]] = []

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[tuple[bytes, bytes]]:
        self._buffer += data
        out = []
        while len(self._buffer) >= HEADER.size:
            kind, length = HEADER.unpack_from(self._buffer)
            limit = self.limit if isinstance(self.limit, int) else self.limit.get(kind)
            if limit is None:
                raise ProtocolError(f"a frame of unknown kind {kind!r}")
            if length > limit:
                raise ProtocolError(f"a {kind.decode(errors='replace').strip()} frame of {length} bytes is over "
                                    f"its limit of {limit}")
            end = HEADER.size + length
            if len(self._buffer) < end:
                break
            out.append((bytes(kind), bytes(self._buffer[HEADER.size:end])))
            del self._buffer[:end]
        return out

    def read(self, fd: int) -> tuple[bytes, bytes]:
        """The next frame from ``fd`` (blocking); the end of the stream is a :class:`ProtocolError`."""
        while not self._queue:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise ProtocolError("the stream ended inside a frame")
            self._queue.extend(self.feed(chunk))
        return self._queue.pop(0)


def encode_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def decode_json(payload: bytes) -> Any:
    """Strict UTF-8 JSON; anything else is a :class:`ProtocolError`."""
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"malformed JSON payload: {type(exc).__name__}") from None


def encode_answer(answer: str | None) -> bytes:
    return b"\x00" if answer is None else b"\x01" + answer.encode()


def decode_answer(payload: bytes, limit: int) -> str | None:
    if payload == b"\x00":
        return None
    if not payload.startswith(b"\x01") or len(payload) - 1 > limit:
        raise ProtocolError("malformed answer")
    return _text(payload[1:])


def encode_response(total: int, answer: str | None = None, finished: bool = False, refused: str = "") -> bytes:
    """One strict-mode response: the revealed answer (or the engine's refusal) and the tokens so far."""
    text = refused or answer or ""
    return _RESPONSE.pack(1 if refused else 0, finished, total) + text.encode()


def decode_response(payload: bytes) -> tuple[bool, bool, int, str]:
    """``(ok, finished, total, answer or refusal message)`` of a strict-mode response."""
    status, finished, total = _RESPONSE.unpack_from(payload)
    return status == 0, bool(finished), total, payload[_RESPONSE.size:].decode()


@dataclass(frozen=True, eq=False)
class EpisodeLogs:
    """The committed results of a run of episodes: action codes, where each episode's start, answers."""

    codes: Any  # numpy int32 [actions]
    starts: Any  # numpy int64 [episodes + 1]
    answers: list[str | None]

    def log(self, i: int) -> tuple[int, ...]:
        return tuple(self.codes[self.starts[i]: self.starts[i + 1]].tolist())


def encode_logs(lengths: array, codes: array, answers: Sequence[str | None]) -> bytes:
    """One group's payload: episode count, action counts, codes, answer lengths (-1: none), answer bytes."""
    raw = [b"" if a is None else a.encode() for a in answers]
    sizes = array("i", (-1 if a is None else len(r) for a, r in zip(answers, raw, strict=True)))
    parts = [lengths, codes, sizes]
    if not _LITTLE:
        parts = [array("i", p) for p in parts]
        for p in parts:
            p.byteswap()
    return b"".join([_COUNT.pack(len(lengths)), *(p.tobytes() for p in parts), *raw])


def decode_logs(payload: bytes, episodes: int, answer_limit: int) -> EpisodeLogs:
    """Parse a group's payload, checking every count and length against the payload's size."""
    import numpy as np

    if len(payload) < _COUNT.size or _COUNT.unpack_from(payload)[0] != episodes:
        raise ProtocolError(f"expected logs of {episodes} episodes")
    at = _COUNT.size
    lengths, at = _ints(payload, at, episodes)
    if (lengths < 0).any():
        raise ProtocolError("an action count is negative")
    total = int(lengths.sum(dtype=np.int64))
    codes, at = _ints(payload, at, total)
    sizes, at = _ints(payload, at, episodes)
    if (sizes < -1).any() or (sizes > answer_limit).any():
        raise ProtocolError(f"an answer is over {answer_limit} bytes")
    if len(payload) - at != int(np.maximum(sizes, 0).sum(dtype=np.int64)):
        raise ProtocolError("answer bytes do not match their lengths")
    answers: list[str | None] = []
    for size in sizes.tolist():
        answers.append(None if size < 0 else _text(payload[at: at + size]))
        at += max(size, 0)
    starts = np.zeros(episodes + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return EpisodeLogs(codes, starts, answers)


def _ints(payload: bytes, at: int, count: int) -> tuple[Any, int]:
    import numpy as np

    end = at + 4 * count
    if end > len(payload):
        raise ProtocolError("the payload is shorter than its counts say")
    return np.frombuffer(payload, dtype="<i4", count=count, offset=at).astype(np.int32), end


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("an answer is not valid UTF-8") from None
