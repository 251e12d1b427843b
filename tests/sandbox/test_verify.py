"""The verify step's sample: sized from the two numbers, and catching peekers at the rate it predicts."""

from __future__ import annotations

import math
import random

import pytest

from autotts.discover.sandbox.verify import FINAL, SEARCH, draw_sample, miss_probability, sample_size


def test_a_large_population_needs_the_textbook_sample() -> None:
    # sampling independently, n >= ln(0.01) / ln(0.99) = 458.2
    assert sample_size(10**7, 0.01, 0.99) == math.ceil(math.log(0.01) / math.log(0.99)) == 459


@pytest.mark.parametrize("population", [100, 1_500, 6_000, 60_000])
def test_the_sample_is_the_smallest_that_meets_the_power(population: int) -> None:
    for level in (SEARCH, FINAL):
        n = level.size(population)
        altered = math.ceil(level.rate * population)
        assert miss_probability(population, altered, n) <= 1 - level.power
        assert miss_probability(population, altered, n - 1) > 1 - level.power
        assert n <= population


def test_a_tiny_population_is_verified_whole() -> None:
    assert sample_size(40, 0.01, 0.99) == 40  # one altered episode in 40: only all of them is certain


def test_the_finals_sample_is_larger() -> None:
    assert FINAL.size(6_000) > SEARCH.size(6_000)


def test_samples_are_distinct_sorted_and_not_repeated() -> None:
    first, second = draw_sample(10_000, 500), draw_sample(10_000, 500)
    assert first == sorted(set(first)) and len(first) == 500
    assert first != second  # the operating system's randomness, not a fixed seed


@pytest.mark.parametrize(("population", "rate", "n"), [
    (3_000, 0.01, None),  # the production size: caught >= 99% of the time
    (3_000, 0.01, 70),  # a smaller sample: caught about half the time, as predicted
    (3_000, 0.002, 300),
])
def test_a_peeker_is_caught_at_the_predicted_rate(population: int, rate: float, n: int | None) -> None:
    """A candidate that alters a fraction ``rate`` of its episodes, against many independent samples."""
    rng = random.Random(11)
    altered_count = math.ceil(rate * population)
    n = n or sample_size(population, rate, 0.99)
    trials = 2_000
    caught = 0
    for _ in range(trials):
        altered = set(rng.sample(range(population), altered_count))
        caught += any(i in altered for i in draw_sample(population, n, rng))
    predicted = 1 - miss_probability(population, altered_count, n)
    spread = math.sqrt(predicted * (1 - predicted) / trials)
    assert abs(caught / trials - predicted) <= 4 * spread + 1e-9
    if n == sample_size(population, rate, 0.99):
        assert predicted >= 0.99
