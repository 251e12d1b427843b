"""Allocates 10 GB: the sandbox's memory limit must end it as a memory failure (tests/discover)."""


def solve(question, beta=0.5):
    block = bytearray(10 * 1024**3)
    return str(len(block))
