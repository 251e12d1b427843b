"""The controller rules: one tolerance for the token-monotonicity check, applied by beta order."""

from __future__ import annotations

from autotts.discover.selection import CurvePoint, monotone_violation
from autotts.rules import TOKEN_TOLERANCE, first_token_drop


def test_a_dip_within_the_tolerance_is_noise_and_a_larger_one_is_a_drop() -> None:
    within = 1000 * (1 - TOKEN_TOLERANCE / 2)
    beyond = 1000 * (1 - TOKEN_TOLERANCE * 2)
    assert first_token_drop([(0.0, 1000.0), (0.5, within), (1.0, 2000.0)]) is None
    assert first_token_drop([(1.0, 2000.0), (0.5, beyond), (0.0, 1000.0)]) == ((0.0, 1000.0), (0.5, beyond))


def test_discovery_rejects_by_the_same_rule() -> None:
    def point(beta: float, tokens: float) -> CurvePoint:
        return CurvePoint("m", beta, 0.5, tokens, (1,), (tokens,))

    beyond = 1000 * (1 - TOKEN_TOLERANCE * 2)
    assert monotone_violation([point(0.0, 1000.0), point(1.0, 1000 * (1 - TOKEN_TOLERANCE / 2))]) is None
    assert "fall from 1,000 at beta=0 to" in (monotone_violation([point(0.0, 1000.0), point(1.0, beyond)]) or "")
