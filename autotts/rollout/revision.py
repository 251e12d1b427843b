"""Which exact weights a rollout used, so a store can be traced back to them."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["model_revision"]


def model_revision(model: str, revision: str | None = None) -> str:
    """A stable name for the model's weights.

    A local folder is named by a hash of its config and the names and sizes of
    its files (cheap, and it changes when the weights are replaced); a hub id
    by the commit of its cached snapshot, or the revision asked for.
    """
    path = Path(model)
    if path.is_dir():
        digest = hashlib.sha256()
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(f"{f.relative_to(path)}:{f.stat().st_size}\n".encode())
        config = path / "config.json"
        if config.is_file():
            digest.update(config.read_bytes())
        return f"local:{digest.hexdigest()[:16]}"
    if revision:
        return revision
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, local_files_only=True)).name
    except Exception:
        return "unknown"
