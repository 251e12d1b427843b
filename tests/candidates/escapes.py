"""One escape attempt per isolation property of the worker; its answer says how each one ended.

It reaches ``os`` the way a hostile candidate does (through a module the static check allows) and answers
``name=outcome;...``, where the outcome is ``ALLOWED`` or the exception that stopped the attempt. Being
deterministic it passes verification, so its answers come back like any other
(tests/sandbox/test_isolation.py). The test sets PARENT and STORE to its own PID and its store's path.
"""

import dataclasses

modules = dataclasses.sys.modules  # type: ignore[attr-defined]  # past the static check, as an attacker would
os = modules["os"]
load = modules["importlib"].import_module
PARENT = 0
STORE = "/nonexistent/traces.duckdb"


def attempt(action):
    try:
        action()
    except BaseException as exc:
        return repr(exc).split("(")[0]
    return "ALLOWED"


def read(path):
    with modules["io"].open(path, "rb") as fh:
        fh.read(1)


def write(path):
    with modules["io"].open(path, "wb") as fh:
        fh.write(b"x")


def fork():
    if os.fork() == 0:
        modules["builtins"].getattr(os, "_" + "exit")(0)


def spawn():
    load("subprocess").run(["/bin/sh", "-c", "true"])


def connect():
    load("socket").create_connection(("127.0.0.1", 9), timeout=1)


ATTEMPTS = {
    "proc_of_parent": lambda: read(f"/proc/{PARENT}/cmdline"),
    "any_proc": lambda: os.listdir("/proc"),
    "store": lambda: read(STORE),
    "network": connect,
    "exec": lambda: os.execv("/bin/sh", ["sh", "-c", "true"]),
    "fork": fork,
    "spawn": spawn,
    "write_outside_tmpfs": lambda: write(STORE + ".planted"),
    "write_code": lambda: write("/sandbox/autotts/planted.py"),
    "write_tmpfs": lambda: write("/tmp/planted"),
    "signal_parent": lambda: os.kill(PARENT, 9),
    "pidfd_parent": lambda: os.pidfd_open(PARENT),
}


def solve(question):
    question.read_new()
    return ";".join(f"{name}={attempt(action)}" for name, action in ATTEMPTS.items())
