"""Writes a file outside its folder: the static check must refuse the ``open`` (tests/discover)."""


def solve(question, beta=0.5):
    with open("/tmp/autotts-escape.txt", "w") as fh:
        fh.write("x")
    return None
