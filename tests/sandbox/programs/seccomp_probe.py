"""Installs the worker's seccomp filter in this throwaway process, then tries what it must deny.

Run by tests/sandbox/test_seccomp.py as ``python seccomp_probe.py PATH_OF_seccomp.py``: it loads the
module alone (not its package), installs the filter, and prints one JSON object mapping each attempt to
``denied <errno>`` or ``ALLOWED``, plus whether a thread still runs. A fork that got through exits its
child at once.
"""

import ctypes
import importlib.util
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading

spec = importlib.util.spec_from_file_location("seccomp", sys.argv[1])
assert spec is not None and spec.loader is not None, sys.argv[1]
seccomp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seccomp)

libc = ctypes.CDLL(None, use_errno=True)


def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)


def clone_process():
    if libc.syscall(56, signal.SIGCHLD, 0, 0, 0, 0) == -1:  # raw clone(2) without CLONE_THREAD (x86_64)
        raise OSError(ctypes.get_errno(), "clone")


def ptrace():
    if libc.ptrace(0, 0, 0, 0) == -1:  # PTRACE_TRACEME
        raise OSError(ctypes.get_errno(), "ptrace")


def unshare():
    if libc.unshare(0x40000000) == -1:  # CLONE_NEWNET
        raise OSError(ctypes.get_errno(), "unshare")


seccomp.install_filter()
attempts = {
    "exec": lambda: os.execv("/bin/true", ["true"]),
    "fork": fork,
    "clone": clone_process,
    "subprocess": lambda: subprocess.run(["/bin/true"], check=False),
    "socket": socket.socket,
    "kill": lambda: os.kill(os.getppid(), 0),
    "pidfd": lambda: os.pidfd_open(os.getppid()),
    "ptrace": ptrace,
    "unshare": unshare,
    "setuid": lambda: os.setuid(os.getuid()),
}
if platform.machine() != "x86_64":
    del attempts["clone"]
out = {}
for name, attempt in attempts.items():
    try:
        attempt()
        out[name] = "ALLOWED"
    except OSError as exc:
        out[name] = f"denied {exc.errno}"
ran: list[int] = []
thread = threading.Thread(target=ran.append, args=(1,))
thread.start()
thread.join()
out["thread"] = "ran" if ran else "did not run"
print(json.dumps(out))
