"""The jail an external agent (the ``command`` proposer's command line) runs in.

The agent is a program the user chose, but what it writes gets scored, and an agent pushed to raise a
score may look for the answers: in the store (the gold answers of the search and held-out benchmarks),
in earlier runs, in the discovery's own ``/proc`` entries. A candidate that looks gold up from what an
honest read reveals is deterministic and peeks at nothing, so no check of the candidate can see it;
only keeping the agent away from the answers can.

Under bubblewrap the agent sees a read-only view of the system (``/usr``, ``/etc``, ``/opt`` and the
like), the Python environment its command starts from, every existing path its command line names, and
its workspace, writable; nothing else of the file system, so no store, no run directory and no home. It
keeps the network (agents call model APIs) and the environment variables (their keys), and gets its
own PID namespace and ``/proc`` (no discovery process to read or signal; the kernel's settings in
there read-only), an empty ``/tmp`` and home folder, no capabilities, death with the discovery, and,
started as root, a real unprivileged uid (:data:`AGENT_UID`).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from autotts.discover.sandbox.isolation import IsolationUnavailable
from autotts.discover.sandbox.opt_out import UNSAFE_FLAG

__all__ = ["jailed"]

# Read-only for the agent, where they exist: programs, libraries, configuration (certificates, resolver).
SYSTEM = ("/usr", "/etc", "/opt", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# As root, the agent runs as this real unprivileged user (the sandbox worker's too), not as uid 0 without
# capabilities: a file's owner needs no capability, so uid 0 read /etc/shadow, TLS private keys and any
# root-only file of the system folders it sees. bubblewrap keeps CAP_SETUID/CAP_SETGID for setpriv alone,
# which drops them with root (setuid to a non-zero uid clears the capabilities; no new ones: no_new_privs).
AGENT_UID = 65534
_AS_AGENT = ("setpriv", f"--reuid={AGENT_UID}", f"--regid={AGENT_UID}", "--clear-groups", "--inh-caps=-all", "--")
# The kernel's settings under its /proc, read-only (a second wall behind AGENT_UID): as uid 0 without
# capabilities, an agent could write them, for a sysctl file asks only for its owner, root:
# kernel.core_pattern set to a program of the agent's runs it as root outside every namespace at the next
# crash on the machine (bubblewrap covers /proc/irq and /proc/bus itself, not these).
_KERNEL_SETTINGS = ("--ro-bind", "/proc/sys", "/proc/sys", "--ro-bind-try", "/proc/sysrq-trigger",
                    "/proc/sysrq-trigger")


def jailed(argv: Sequence[str], workspace: Path, private: Path) -> list[str]:
    """``argv`` run under bubblewrap with ``workspace`` writable and ``private`` (the run directory) hidden."""
    problem = _bwrap_problem()
    if problem:
        raise IsolationUnavailable(f"cannot isolate the proposer's command: {problem}; {UNSAFE_FLAG} runs it "
                                   f"with your rights")
    workspace, private = Path(os.path.abspath(workspace)), Path(os.path.abspath(private))
    options = ["bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
               "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    options += _system_view()
    resolver = Path("/etc/resolv.conf").resolve()
    if not resolver.is_relative_to("/etc") and resolver.exists():
        options += ["--ro-bind", str(resolver), str(resolver)]
    options += ["--dev", "/dev", "--proc", "/proc", *_KERNEL_SETTINGS, "--perms", "1777", "--tmpfs", "/tmp"]
    bound: list[Path] = []  # real folders shown in the jail, with their own modes
    made = {Path("/tmp")}  # folders made in the jail: empty file systems, and the folders above the binds
    home = os.environ.get("HOME", "/")
    if home != "/" and not _system(Path(home)):
        options += ["--perms", "1777", "--tmpfs", home]
        made.add(Path(home))
    for path in _named_paths(argv):
        if not (_system(path) or path.is_relative_to(private) or private.is_relative_to(path)):
            options += [*_passable(path, bound, made), "--ro-bind", str(path), str(path)]
            bound.append(path)
    options += [*_passable(private, bound, made), "--tmpfs", str(private)]
    made.add(private)
    options += [*_passable(workspace, bound, made), "--bind", str(workspace), str(workspace),
                "--chdir", str(workspace)]
    if os.geteuid() != 0:
        return [*options, "--", *argv]
    _hand_over(workspace)
    return [*options, "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--", *_AS_AGENT, *argv]


def _passable(path: Path, bound: list[Path], made: set[Path]) -> list[str]:
    """Options that make the folders above ``path`` passable, where bubblewrap would create them (0700, root's).

    Folders inside a bind are real ones and keep their own modes; those it creates are made 0755 first.
    """
    new = [a for a in reversed(path.parents) if a != Path("/") and a not in made and not _system(a)
           and not any(a.is_relative_to(b) for b in bound)]
    made.update(new)
    return [option for folder in new for option in ("--perms", "0755", "--dir", str(folder))]


def _hand_over(workspace: Path) -> None:
    """Make the workspace the agent's (:data:`AGENT_UID`): the only place it may write."""
    for folder, _, files in os.walk(workspace):
        for name in [folder, *(os.path.join(folder, f) for f in files)]:
            os.chown(name, AGENT_UID, AGENT_UID, follow_symlinks=False)


def _system_view() -> list[str]:
    """bubblewrap options for a user namespace where needed and the read-only system folders."""
    options = [] if os.geteuid() == 0 else ["--unshare-user"]
    for path in map(Path, SYSTEM):
        if path.is_symlink():
            options += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            options += ["--ro-bind", str(path), str(path)]
    return options


@functools.cache
def _bwrap_problem() -> str:
    """Why bubblewrap cannot jail a command here ('' when it can; probed once)."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    probe = subprocess.run(["bwrap", "--unshare-pid", *_system_view(), "--proc", "/proc", "--", "true"],
                           capture_output=True, timeout=60, check=False)
    if probe.returncode != 0:
        reason = probe.stderr.decode(errors="replace").strip().splitlines() or [f"status {probe.returncode}"]
        return f"bubblewrap cannot create namespaces here: {reason[-1]}"
    return ""


def _named_paths(argv: Sequence[str]) -> list[Path]:
    """What the command needs to start: its program's Python environment and every existing path it names."""
    found = []
    program = shutil.which(argv[0]) if argv else None
    if program:
        named = Path(os.path.abspath(program))
        # its folder and, for an interpreter, its prefix (bin/..) and the virtual environment it starts
        found += [named.parent, Path(os.path.realpath(program)).parent.parent]
        found += [p for p in named.parents if (p / "pyvenv.cfg").is_file()][:1]
    found += [Path(os.path.abspath(a)) for a in argv[1:] if a and os.path.exists(a)]
    kept: list[Path] = []
    for path in sorted(set(found), key=lambda p: len(p.parts)):
        if not any(path.is_relative_to(k) for k in kept):  # within a folder bound already
            kept.append(path)
    return kept


def _system(path: Path) -> bool:
    return any(path.is_relative_to(s) for s in SYSTEM)
