"""Replay speed benchmark: the paper's 120-evaluation matrix, scaling curves, a 10x store.

Usage: python benchmarks/replay.py [--store data/traces.duckdb] [--jobs 2] [--json]
(the same as `autotts bench`; ingest the bundled data first with `autotts ingest bundled`).
"""

import sys

from autotts.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
