"""Never returns: the sandbox must kill it at its wall-clock or CPU-time limit.

Used by the evaluator's and the loop's tests (tests/discover) and as the busy worker that must die with
its parent (tests/sandbox/programs/hold_a_worker.py).
"""


def solve(question, beta=0.5):
    while True:
        pass
