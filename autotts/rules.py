"""The rules every controller must keep, whoever wrote it, in one place.

``autotts.checks.check_controller`` and discovery's candidate cascade
(``autotts.discover.evaluation``) enforce the same rules with the same
numbers, so a controller that passes one passes the other.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

__all__ = ["MAX_BRANCHES", "TOKEN_TOLERANCE", "first_token_drop"]

MAX_BRANCHES = 64
"""Most branches one episode may open: the width of the published traces and of SC@64."""

TOKEN_TOLERANCE = 0.02
"""How far (relative) average tokens may dip from one beta to the next larger one.

Beta buys accuracy with tokens, so cost must not fall as beta grows; averages
over a few seeds wobble, and a dip within this much is taken for that noise.
"""


def first_token_drop(
    curve: Sequence[tuple[float, float]], tolerance: float = TOKEN_TOLERANCE
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The first pair of neighbouring ``(beta, avg tokens)`` points, by beta, where tokens fall by more than
    ``tolerance``; ``None`` when cost never falls."""
    for low, high in itertools.pairwise(sorted(curve)):
        if high[1] < low[1] * (1 - tolerance):
            return low, high
    return None
