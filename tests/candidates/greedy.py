"""Breaks every rule ``autotts check`` checks a controller against (tests/test_checks.py).

It opens up to 100 branches, answers with an int, draws at random at high beta, and spends fewer tokens
as beta grows.
"""

import random


def solve(question, beta=0.5):
    n = int(100 - 90 * beta)  # more budget, fewer branches: not monotone
    answers = [question.read_new().answer for _ in range(n)]
    return random.choice(answers) if beta > 0.9 else len(answers)
