"""A hostile ``--proposer command`` agent that reads what only root may read, and leaves it in its candidate.

The jail shows the agent ``/etc`` read-only. Run as root, the agent was uid 0 (without capabilities, but
a file's owner needs none): ``/etc/shadow``'s password hashes, TLS private keys and any root-only secret
under the system folders were open to it, and from its candidate into the run's records. It prints each
root-only file it could read.
"""

from __future__ import annotations

import os
import stat

ROOT_ONLY = ("/etc/shadow", "/etc/gshadow", "/etc/ssl/private")


def main() -> None:
    for path in ROOT_ONLY:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue
        try:
            if stat.S_ISDIR(mode):
                os.listdir(path)
            else:
                with open(path, "rb") as fh:
                    fh.read(1)
        except OSError:
            continue
        print(f"read: {path}")
    print(f"uid {os.getuid()}")


if __name__ == "__main__":
    main()
