"""The project's exception hierarchy.

Every error a user can cause derives from :class:`AutoTTSError`, whose message
is one line naming what went wrong and where (file, question index, key), so
the CLI can print it as is and exit non-zero.
"""

from __future__ import annotations

__all__ = [
    "AutoTTSError",
    "ConfigError",
    "ControllerError",
    "DiscoveryError",
    "IngestError",
    "LiveError",
    "RolloutError",
    "SettingError",
    "StoreBusyError",
    "StoreError",
]


class AutoTTSError(Exception):
    """Base class for errors caused by input, configuration or data."""


class IngestError(AutoTTSError):
    """A replay file cannot be read or does not match the release format."""


class StoreError(AutoTTSError):
    """The trace store is missing, lacks the requested data, or a query failed."""


class StoreBusyError(StoreError):
    """Another process held the store past the lock timeout (what was computed is saved aside)."""


class ControllerError(AutoTTSError):
    """A controller cannot be found, built or loaded, or misused its question."""


class ConfigError(AutoTTSError):
    """A parameter or configuration value is unknown or invalid."""


class RolloutError(AutoTTSError):
    """A rollout cannot run: a bad benchmark file, a missing backend, or a store made with other settings."""


class DiscoveryError(AutoTTSError):
    """A discovery run cannot start or resume (settings, run directory, proposer, budget)."""


class SettingError(ConfigError):
    """One named setting has a bad value; each face (flag, params key) names it in its own terms."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem


class LiveError(AutoTTSError):
    """A live run cannot go on: generation failed, the question ran out of time, or a request was malformed."""
