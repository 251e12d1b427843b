"""Which model and benchmark names the store accepts: a safe charset, since names become parts of file names.

Checked where names come in (ingest, rollout) and again where a store is read, as a store made by hand may
hold anything. A module of its own so that reading a store does not load the release-format reader.
"""

from __future__ import annotations

import re
from pathlib import Path

from autotts.errors import IngestError

__all__ = ["check_name", "is_safe_name"]

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}")


def is_safe_name(name: str) -> bool:
    """Whether ``name`` may name a model or benchmark: letters, digits, ``._+-``, never a path."""
    return _SAFE_NAME.fullmatch(name) is not None and ".." not in name


def check_name(kind: str, name: str, where: str | Path) -> str:
    """``name`` if :func:`is_safe_name`; else a one-line :class:`IngestError` naming ``where``."""
    if not is_safe_name(name):
        raise IngestError(f"{where}: {kind} name {name!r} is not allowed: use letters, digits and . _ + - "
                          "(at most 128, not starting with a dot or dash, no '..')")
    return name
