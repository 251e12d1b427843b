"""Reads the final answer of the next unopened branch through the engine's private table.

Opens a second branch only when that hidden answer is a number. The static check must refuse the
private name before it runs (tests/discover).
"""

from autotts.replay.episode import _LIVE


def solve(question, beta=0.5):
    episode = _LIVE[question._ticket]
    first = question.branch()
    upcoming = episode._traces.finals[episode._order[episode.opened]]
    if upcoming.isdigit():
        question.branch()
    return first.answer
