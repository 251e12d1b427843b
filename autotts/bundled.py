"""The replay data shipped with the project (the public AutoTTS release)."""

from __future__ import annotations

from pathlib import Path

from autotts.errors import StoreError

__all__ = ["BUNDLED_DIR", "bundled_files"]

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "data" / "autotts-replay"


def bundled_files() -> list[Path]:
    """Every bundled ``<model>/<benchmark>.json.gz``, sorted."""
    for root in (BUNDLED_DIR, Path.cwd() / "data" / "autotts-replay"):
        files = sorted(root.glob("*/*.json.gz"))
        if files:
            return files
    raise StoreError(f"{BUNDLED_DIR}: bundled replay data not found (install autotts from a clone, `pip install -e .`)")
