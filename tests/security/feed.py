"""The attacker's ``--proposer command``: copies attack file number i into workspace-i/candidate.py.

Run by the command proposer as ``python feed.py {workspace} ATTACK...``; the workspace's name
(``workspace-07``) says which attack this proposal is. Bytes are copied as they are, so a file
that is not UTF-8 reaches the loop exactly as an agent would have written it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def main() -> None:
    workspace, attacks = Path(sys.argv[1]), sys.argv[2:]
    index = int(workspace.name.rsplit("-", 1)[1])
    shutil.copyfile(attacks[index % len(attacks)], workspace / "candidate.py")


if __name__ == "__main__":
    main()
