"""Discovering controllers: the loop, history, selection, proposers and the sandbox."""

from autotts.discover.api import DEFAULT_BETAS, DiscoveryResult, discover

__all__ = ["DEFAULT_BETAS", "DiscoveryResult", "discover"]
