"""Joining a Ray cluster, for the work autotts fans out (rollouts, candidate evaluations)."""

from __future__ import annotations

import logging
from types import ModuleType

from autotts.errors import ConfigError

__all__ = ["join_ray"]


def join_ray(address: str | None, *, needed_by: str) -> ModuleType:
    """The ``ray`` module, connected to the cluster at ``address``.

    ``"auto"`` joins the cluster this machine is a node of, ``None`` starts a
    private one on this machine. A process already connected keeps its
    connection. ``needed_by`` names the option that asked, for the message
    when Ray is missing or the cluster cannot be reached.
    """
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(f"{needed_by} needs Ray: pip install 'autotts[ray]'") from exc
    if not ray.is_initialized():
        try:
            ray.init(address=address, logging_level=logging.WARNING)
        except (ConnectionError, ValueError) as exc:
            raise ConfigError(f"{needed_by}: cannot join the Ray cluster at {address}: {exc}") from exc
    return ray
