"""The worker's seccomp filter, installed in a throwaway process: what it denies, and that threads still run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from autotts.discover.sandbox import seccomp
from autotts.discover.sandbox.seccomp import libseccomp_path

pytestmark = pytest.mark.skipif(libseccomp_path() is None, reason="libseccomp is not installed")

# Each attempt prints "denied" or "ALLOWED"; a fork that got through exits its child at once.
PROBE = r"""
import ctypes, importlib.util, json, os, platform, signal, socket, subprocess, sys, threading

spec = importlib.util.spec_from_file_location("seccomp", sys.argv[1])  # the module alone, not its package
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
ran = []
thread = threading.Thread(target=ran.append, args=(1,))
thread.start()
thread.join()
out["thread"] = "ran" if ran else "did not run"
print(json.dumps(out))
"""


def test_the_filter_denies_processes_programs_sockets_tracing_and_signals() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, seccomp.__file__], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome.pop("thread") == "ran"
    assert outcome == dict.fromkeys(outcome, "denied 1")  # EPERM, every one
    assert len(outcome) >= 9
