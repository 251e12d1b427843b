"""The discovery tests' toy store (two models, 4 questions x 24 branches each), for the sandbox's tests."""

from tests.discover.conftest import toy_store

__all__ = ["toy_store"]
