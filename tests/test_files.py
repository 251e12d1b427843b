"""The one atomic writer: a target is the old content or the whole new one, and no temporary file stays.

(``atomic_dir``, for whole stage folders, is tested with the stages in tests/pipeline/test_report_lib.py.)
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autotts.files import atomic_path, atomic_write


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    atomic_write(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


def test_text_and_bytes_land_whole_in_new_folders(tmp_path: Path) -> None:
    atomic_write(tmp_path / "a" / "b.txt", "héllo")
    atomic_write(tmp_path / "a" / "c.bin", b"\x00\x01")
    assert (tmp_path / "a" / "b.txt").read_text(encoding="utf-8") == "héllo"
    assert (tmp_path / "a" / "c.bin").read_bytes() == b"\x00\x01"


def test_threads_writing_one_file_never_mix_their_contents(tmp_path: Path) -> None:
    target = tmp_path / "shared.txt"
    texts = [str(i) * 100_000 for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda t: atomic_write(target, t), texts * 4))
    assert target.read_text() in texts
    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"]
