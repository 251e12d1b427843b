"""Opens three branches, prunes the second at once, deepens the others to their ends.

A live run must stop generating a pruned sample: nothing more is sampled for it (tests/live/test_solve.py).
"""


def solve(question):
    opened = [question.branch() for _ in range(3)]
    question.prune(1)
    latest = {0: opened[0], 2: opened[2]}
    while not all(obs.finished for obs in latest.values()):
        for k, obs in latest.items():
            if not obs.finished:
                latest[k] = question.continue_branch(k)
    return latest[0].answer
