"""Discovering controllers: the loop, history, selection, proposers and the sandbox.

``discover`` is imported on first use, so the sandbox worker (a submodule)
starts without loading the loop, the store or the proposers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_BETAS", "DiscoveryResult", "discover"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from autotts.discover import api

        return getattr(api, name)
    raise AttributeError(f"module 'autotts.discover' has no attribute {name!r}")
