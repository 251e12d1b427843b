"""The OS isolation a worker runs in: bubblewrap namespaces, or (only if the user says so) none.

Under bubblewrap the worker has its own mount, PID, network, IPC, UTS and
cgroup namespaces: it sees read-only binds of the interpreter's prefix (its
site-packages hidden), numpy, and a staged copy of just the autotts modules
it needs, an empty tmpfs at ``/tmp``, a minimal ``/dev`` and no ``/proc``
at all, every file system read-only; no store, run directory or home. It
cannot see, trace or signal any process outside, has no network interface but loopback, and dies with its
parent. When autotts runs as root the worker starts with only CAP_SETUID and
CAP_SETGID and drops to uid/gid 65534 (a real unprivileged user outside too)
before it reads anything; otherwise bubblewrap maps it to 65534 in a user
namespace. :class:`Isolation.UNSAFE` runs the same worker as a plain child
process, with rlimits and the seccomp filter but no namespaces: the user has
to ask for it by name.
"""

from __future__ import annotations

import atexit
import enum
import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from autotts.discover.sandbox.opt_out import UNSAFE_FLAG
from autotts.discover.sandbox.seccomp import libseccomp_path
from autotts.errors import AutoTTSError

__all__ = [
    "NOBODY", "Isolation", "IsolationUnavailable", "clock_environment", "isolation_problem", "require",
    "worker_command",
]

NOBODY = 65534
_ROOT_IN_SANDBOX = "/sandbox"
# What the worker imports of autotts; every other package __init__ is staged empty, so importing
# ``autotts.controllers.base`` does not pull in the built-ins, numba or the store.
WORKER_MODULES = (
    "autotts/__init__.py",
    "autotts/errors.py",
    "autotts/registry.py",
    "autotts/controllers/base.py",
    "autotts/controllers/voting.py",
    "autotts/controllers/loading.py",
    "autotts/replay/episode.py",
    "autotts/discover/sandbox/protocol.py",
    "autotts/discover/sandbox/seccomp.py",
    "autotts/discover/sandbox/static_check.py",
    "autotts/discover/sandbox/worker.py",
)
WORKER_MODULE = "autotts.discover.sandbox.worker"


class Isolation(enum.Enum):
    """How an untrusted worker is isolated; the value is what the ``evaluations`` table records."""

    BUBBLEWRAP = "sandboxed"
    UNSAFE = "unsafe-opt-out"


class IsolationUnavailable(AutoTTSError):
    """OS isolation cannot run here and the user did not opt out of it."""


@functools.cache
def isolation_problem() -> str | None:
    """Why bubblewrap isolation cannot run here (one line), or ``None`` when it can (probed once)."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    if libseccomp_path() is None:
        return "libseccomp is not installed (apt-get install libseccomp2)"
    if _faketime_library() is None:
        return "libfaketime is not installed (apt-get install libfaketime)"
    probe = subprocess.run([*_bwrap_options(), "--", _interpreter(), "-S", "-c", ""],
                           capture_output=True, timeout=60, check=False)
    if probe.returncode != 0:
        reason = probe.stderr.decode(errors="replace").strip().splitlines() or [f"status {probe.returncode}"]
        return f"bubblewrap cannot create namespaces here: {reason[-1]}"
    return None


def require(isolation: Isolation) -> None:
    """Raise :class:`IsolationUnavailable` unless ``isolation`` can run here."""
    problem = isolation_problem() if isolation is Isolation.BUBBLEWRAP else None
    if problem:
        raise IsolationUnavailable(f"cannot isolate untrusted controller code: {problem}; "
                                   f"{UNSAFE_FLAG} runs it without OS isolation, at your own risk")


def worker_command(isolation: Isolation, env: dict[str, str]) -> tuple[list[str], str]:
    """The command line that starts a worker with environment ``env`` under ``isolation``, and the
    folder to start it in (``env`` is also the child's environment when there is no bubblewrap)."""
    python = [_interpreter(), "-S", "-s", "-B", "-m", WORKER_MODULE]
    if isolation is Isolation.UNSAFE:
        return python, str(_stage())
    variables = [a for key, value in env.items() for a in ("--setenv", key, value)]
    return [*_bwrap_options(), *variables, "--chdir", _ROOT_IN_SANDBOX, "--", *python], "/"


def clock_environment() -> dict[str, str]:
    """The variables that give a worker a clock of its own (libfaketime, preloaded; empty if it is missing).

    Without them a candidate that seeds itself from the clock repeats itself whenever its commitment and
    its verification fall within one tick of whatever it reads (a second, an hour), and passes by the luck
    of timing. The worker sets ``FAKETIME`` to a secret random instant at its start and again for every
    freshly loaded controller; ``FAKETIME_NO_CACHE`` makes the library read it again on every call.
    """
    library = _faketime_library()
    return {} if library is None else {"LD_PRELOAD": library, "FAKETIME_NO_CACHE": "1"}


@functools.cache
def _faketime_library() -> str | None:
    found = sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1")) + sorted(
        Path("/usr/lib/faketime").glob("libfaketime.so.1"))
    return str(found[0]) if found else None


def _interpreter() -> str:
    """The base interpreter (a virtual environment's python is a link to it; its packages stay outside)."""
    return os.path.realpath(sys.executable)


def _bwrap_options() -> list[str]:
    prefix = Path(sys.base_prefix).resolve()
    numpy_dirs = _numpy_dirs()
    binds = [prefix, *numpy_dirs]
    options = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
               "--die-with-parent", "--new-session", "--clearenv", "--cap-drop", "ALL"]
    if os.geteuid() == 0:
        # Without a user namespace, so that the worker becomes a real unprivileged user: as root in a user
        # namespace it would still be uid 0 to the kernel (able to write /proc/sys, for one).
        options += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        options += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    # The empty /tmp comes first: a bind made before it would vanish under it (a checkout or venv in /tmp).
    options += ["--dev", "/dev", "--tmpfs", "/tmp"]
    # Folders bubblewrap creates on the way to a bind are private to root unless made otherwise.
    for folder in sorted({a for b in binds for a in b.parents if a != Path("/")}, key=lambda p: len(p.parts)):
        options += ["--perms", "0755", "--dir", str(folder)]
    options += ["--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                "--symlink", "usr/bin", "/bin"]
    for path in binds:
        if not path.is_relative_to("/usr"):
            options += ["--ro-bind", str(path), str(path)]
    hidden = _site_dirs(prefix)
    for site in hidden:
        options += ["--tmpfs", site]
    options += ["--ro-bind", str(_stage()), _ROOT_IN_SANDBOX]
    # Every tmpfs read-only: what a file or a link's target holds there is kernel memory that no rlimit
    # counts (the file-size limit stops writes into files, not link targets or directories). As another
    # user, bubblewrap's own folders (the root, /dev, the ones made for binds) belong to the worker.
    for tmpfs in ("/", "/dev", "/tmp", *hidden):
        options += ["--remount-ro", tmpfs]
    return options


def _numpy_dirs() -> list[Path]:
    import numpy

    package = Path(numpy.__file__).resolve().parent
    libs = package.with_name("numpy.libs")
    return [package, *([libs] if libs.is_dir() else [])]


def _site_dirs(prefix: Path) -> list[str]:
    """The installed packages' folders inside the bound trees, to be covered by an empty tmpfs."""
    found = {Path(sysconfig.get_path(k, vars={"base": str(prefix), "platbase": str(prefix)}))
             for k in ("purelib", "platlib")}
    for root in (prefix, Path("/usr"), Path("/usr/local")):
        found |= set(root.glob("lib/python3*/*-packages")) | set(root.glob("lib/python3/dist-packages"))
    return sorted(str(p) for p in found if p.is_dir() and any(p.is_relative_to(r) for r in (prefix, Path("/usr"))))


@functools.cache
def _stage() -> Path:
    """A private read-only copy of :data:`WORKER_MODULES` (with empty package inits) and links to numpy."""
    root = Path(tempfile.mkdtemp(prefix="autotts-worker-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    source_root = Path(__file__).resolve().parents[3]
    for name in WORKER_MODULES:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_root / name, target)
    for folder in [p for p in root.rglob("*") if p.is_dir()]:
        (folder / "__init__.py").touch(exist_ok=True)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    for path in _numpy_dirs():
        (root / path.name).symlink_to(path)
    return root
