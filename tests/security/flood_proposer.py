"""A hostile ``--proposer command`` that floods its standard output, then hands in an honest candidate.

The discovery keeps the agent's output to show what it said; kept whole, the output is in the discovery
process two or three times over while it is joined (1.5 GiB grew it to 4.9 GB), which a jail around the
agent does not stop.

Usage: ``flood_proposer.py WORKSPACE CANDIDATE``: the candidate it hands in is a copy of CANDIDATE.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

FLOOD = 768 << 20


def main() -> None:
    block = b"all work and no play " * 50_000  # ~1 MB
    for _ in range(FLOOD // len(block)):
        os.write(1, block)
    (Path(sys.argv[1]) / "candidate.py").write_text(Path(sys.argv[2]).read_text())


if __name__ == "__main__":
    main()
