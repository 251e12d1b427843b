"""A hostile ``--proposer command`` agent that goes for the kernel's settings instead of the store.

Run as root, the jailed agent is uid 0 without capabilities, and a sysctl file asks for no
capability, only its owner: root. ``kernel.core_pattern`` set to ``|/its/workspace/program``
runs that program as root, outside every namespace, at the next crash on the machine; from
there it reads the store. This probe only opens the files for writing (which is the permission
check) and closes them unwritten: changing them would change the machine it runs on. It prints
each file it could have written.
"""

from __future__ import annotations

import os

TARGETS = ("/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe", "/proc/sys/vm/drop_caches",
           "/proc/sysrq-trigger")


def main() -> None:
    for path in TARGETS:
        try:
            os.close(os.open(path, os.O_WRONLY))
        except OSError:
            continue
        print(f"writable: {path}")


if __name__ == "__main__":
    main()
