"""The wire format: frames are cut exactly, oversized or malformed payloads are refused before use."""

from __future__ import annotations

from array import array

import pytest

from autotts.discover.sandbox import protocol
from autotts.discover.sandbox.protocol import FrameReader, ProtocolError


def test_frames_fed_in_pieces_come_out_whole_and_in_order() -> None:
    stream = protocol.frame(b"LOGS", b"x" * 1000) + protocol.frame(b"DONE")
    reader = FrameReader(limit=4096)
    got = []
    for i in range(0, len(stream), 7):
        got += reader.feed(stream[i: i + 7])
    assert got == [(b"LOGS", b"x" * 1000), (b"DONE", b"")]
    assert reader.pending == 0


def test_a_frame_over_the_limit_is_refused_from_its_header_alone() -> None:
    reader = FrameReader(limit=100)
    with pytest.raises(ProtocolError, match="over its limit"):
        reader.feed(protocol.HEADER.pack(b"LOGS", 10**12))  # no payload needs to arrive


def test_each_kind_of_worker_frame_has_its_own_limit() -> None:
    reader = FrameReader(protocol.worker_frame_limits(1 << 20, 4096))
    assert reader.feed(protocol.frame(protocol.FAIL, b"{}")) == [(protocol.FAIL, b"{}")]
    with pytest.raises(ProtocolError, match=r"FAIL frame .* over its limit"):  # parsed as JSON: kept small
        reader.feed(protocol.HEADER.pack(protocol.FAIL, protocol.FAILURE_BYTES + 1))
    with pytest.raises(ProtocolError, match="unknown kind"):
        FrameReader(protocol.worker_frame_limits(1 << 20, 4096)).feed(protocol.HEADER.pack(b"JUNK", 1))


def _logs(actions: list[list[int]], answers: list[str | None]) -> bytes:
    lengths = array("i", map(len, actions))
    codes = array("i", [c for a in actions for c in a])
    return protocol.encode_logs(lengths, codes, answers)


def test_logs_round_trip() -> None:
    actions = [[protocol.BRANCH, 0 << 2 | protocol.CONTINUE, 0 << 2 | protocol.PRUNE], [], [protocol.READ]]
    logs = protocol.decode_logs(_logs(actions, ["42", None, "é"]), 3, answer_limit=64)
    assert [logs.log(i) for i in range(3)] == [tuple(a) for a in actions]
    assert logs.answers == ["42", None, "é"]


@pytest.mark.parametrize(("payload", "message"), [
    (_logs([[0]], ["1"])[:-1], "answer bytes"),
    (_logs([[0, 1]], ["1"])[:10], "shorter"),
    (_logs([[0]], ["1"]) + b"extra", "answer bytes"),
    (_logs([[0]], ["x" * 65]), "over 64 bytes"),
    (_logs([[0], [0]], ["1", "2"]), "expected logs of 1"),
    (_logs([[0]], ["1"])[:-1] + b"\xff", "not valid UTF-8"),
])
def test_malformed_logs_are_refused(payload: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        protocol.decode_logs(payload, 1, answer_limit=64)


def test_a_negative_action_count_is_refused() -> None:
    payload = bytearray(_logs([[0]], ["1"]))
    payload[4:8] = (-1).to_bytes(4, "little", signed=True)
    with pytest.raises(ProtocolError, match="negative"):
        protocol.decode_logs(bytes(payload), 1, answer_limit=64)


def test_actions_are_described_in_words() -> None:
    assert protocol.describe_action(3 << 2 | protocol.CONTINUE) == "continue(3)"
    assert protocol.describe_action(protocol.READ) == "read"
