"""Imports a module a candidate may not: the static check must refuse the import (tests/discover)."""

import socket  # noqa: F401  # the import is the offence


def solve(question, beta=0.5):
    return None
