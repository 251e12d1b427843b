"""Spends one branch, then tries to leave a file in FOLDER, where the parent would find it.

Sandboxed, its questions fail and nothing is written (tests/live/test_solve.py sets FOLDER to its own
temporary folder).
"""

FOLDER = "/nonexistent"


def solve(question):
    question.branch()
    with open(f"{FOLDER}/written-by-hostile", "w") as fh:
        fh.write("gotcha")
    return "0"
