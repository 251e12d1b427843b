"""Task cache keys follow inputs by content and outputs by name, like DVC's view of a stage."""

from __future__ import annotations

from pathlib import Path

from flows.caching import stage_cache_key


def test_key_changes_with_input_content_not_with_output_content(tmp_path: Path) -> None:
    key = stage_cache_key("baselines", outputs=("out",))
    store, out = tmp_path / "store.duckdb", tmp_path / "out.parquet"
    store.write_bytes(b"one")
    first = key(None, {"store": store, "model": "M", "out": out})
    out.write_bytes(b"written by the stage")
    assert key(None, {"store": store, "model": "M", "out": out}) == first
    store.write_bytes(b"two")
    assert key(None, {"store": store, "model": "M", "out": out}) != first


def test_key_changes_with_params_and_extra_inputs(tmp_path: Path) -> None:
    source = tmp_path / "replay"
    source.mkdir()
    key = stage_cache_key("ingest", outputs=("store",), inputs=lambda p: [source])
    base = key(None, {"params": ("a",), "store": tmp_path / "s"})
    assert key(None, {"params": ("b",), "store": tmp_path / "s"}) != base
    (source / "new.json").write_text("{}")
    assert key(None, {"params": ("a",), "store": tmp_path / "s"}) != base
