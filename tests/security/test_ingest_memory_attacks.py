"""Release files built to exhaust ``autotts ingest``'s memory: refused within the documented bound, store unchanged.

The cap is scaled down to 256 KiB so each attack costs a fraction of a second; memory is what Python allocates
while the file is read and parsed (``tracemalloc``). ``python -m benchmarks.ingest_memory`` runs the same
files at the real cap and reports peak RSS.
"""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pytest

import autotts.store.autotts_json as release
import autotts.store.ingest as ingest
from autotts.errors import IngestError
from autotts.store.ingest import ingest_files
from tests.security.ingest_bombs import nested_lists, ship

CAP = 2**18


@pytest.fixture(autouse=True)
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(release, "MAX_JSON_BYTES", CAP)


def refused_within(store: Path, attack: Path) -> tuple[str, int]:
    """Ingest ``attack`` into ``store``: the one-line error, and the peak of Python's allocations meanwhile."""
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    tracemalloc.start()
    try:
        with pytest.raises(IngestError) as err:
            ingest_files([attack], store)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before, "a refused file changed the store"
    assert "\n" not in str(err.value) and str(attack) in str(err.value)
    return str(err.value), peak


def test_the_worst_shape_at_the_cap_parses_within_the_documented_bound(small_store: Path, tmp_path: Path) -> None:
    attack = ship(tmp_path / "attacker" / "nested_lists.json.gz", nested_lists(CAP - 64))
    error, peak = refused_within(small_store, attack)
    assert "question 0" in error
    assert CAP < peak <= release.PARSE_BYTES_PER_JSON_BYTE * CAP, f"{peak / CAP:.0f} bytes per byte of JSON"


def test_a_gzip_bomb_of_nested_lists_stops_at_the_cap_unparsed(small_store: Path, tmp_path: Path) -> None:
    attack = ship(tmp_path / "attacker" / "bomb.json.gz", nested_lists(16 * CAP))  # 4 MiB in ~15 KiB
    assert attack.stat().st_size < CAP // 16
    error, peak = refused_within(small_store, attack)
    assert "larger than 0.25 MiB once decompressed" in error
    assert peak < 4 * CAP, "the bomb was held past the cap"  # the compressed file, the cap's bytes, one copy


def test_long_names_on_millions_of_rows_count_toward_the_rows_bound(
    small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DuckDB stores the model and benchmark names on every row: 128-character names on a file of empty probe
    # answers took 160 bytes per byte of JSON (5 GB at the real cap) while the rows bound counted none of it.
    monkeypatch.setattr(ingest, "MAX_BATCH_BYTES", 8 * CAP)  # the real bounds' ratio, 256 MiB to 32 MiB
    name = "m" * 128
    branch = b'[[' + b",".join([b'""'] * 1000) + b'],1,""]'  # empty_probes' branch, fewer to the question
    question = b'{"question":"q","gold_answer":"1","probe_freq":1,"each_branch":[' + b",".join([branch] * 80) + b"]}"
    attack = ship(tmp_path / name / f"{name}.json.gz", b"[" + question + b"]")
    error, _peak = refused_within(small_store, attack)
    assert "of rows to hold at once" in error
