"""A seccomp filter for the sandbox worker, through libseccomp (ctypes; no extension module to build).

The worker installs it after its own imports and before the candidate's
code runs. From then on the process cannot start programs, create
processes (threads stay possible), trace or signal other processes, open
sockets, create SysV or POSIX IPC objects (memory outside its address-space
limit), or change its mounts, namespaces or privileges: such calls fail
with ``EPERM`` (``clone3`` with ``ENOSYS``, so the C library falls back to
``clone``, whose flags can be inspected). Calls of a foreign architecture's
ABI kill the process. The namespaces already hide what these calls could
reach; the filter is the second, independent wall.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno

__all__ = ["DENIED", "SeccompUnavailable", "install_filter", "libseccomp_path"]

DENIED = (
    # programs and processes
    "execve", "execveat", "fork", "vfork",
    # other processes: tracing, their memory, signals, pidfds
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    # the network
    "socket", "socketpair",
    # mounts, namespaces, roots
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree", "move_mount", "fsopen", "fsconfig",
    "fsmount", "fspick", "mount_setattr",
    # memory no rlimit counts: a SysV segment outlives its unmapping, a message queue holds what is sent
    "shmget", "msgget", "semget", "mq_open",
    # the kernel's attack surface and global state
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl",
    "add_key", "request_key", "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "reboot", "swapon", "swapoff", "syslog", "acct", "quotactl", "sethostname", "setdomainname", "settimeofday",
    "clock_settime", "clock_adjtime", "adjtimex", "mknod", "mknodat", "open_by_handle_at", "name_to_handle_at",
    "ioperm", "iopl", "modify_ldt", "personality", "lookup_dcookie", "uselib", "vhangup",
    # privileges
    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "setfsuid", "setfsgid",
    "capset",
)

_ALLOW = 0x7FFF0000
_KILL_PROCESS = 0x80000000
_ERRNO = 0x00050000
_ATTR_BADARCH = 2
_CMP_MASKED_EQ = 7
_CLONE_THREAD = 0x00010000


class SeccompUnavailable(RuntimeError):
    """libseccomp is missing or the kernel refused the filter."""


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def libseccomp_path() -> str | None:
    """The shared library's name as the loader finds it, or ``None`` if it is not installed."""
    return ctypes.util.find_library("seccomp")


def install_filter() -> None:
    """Install the filter on the calling process (no new privileges is set with it)."""
    try:
        lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    except OSError as exc:
        raise SeccompUnavailable(f"libseccomp.so.2 cannot be loaded: {exc}") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(_ALLOW)
    if not ctx:
        raise SeccompUnavailable("seccomp_init failed")
    try:
        _check(lib.seccomp_attr_set(ctx, _ATTR_BADARCH, _KILL_PROCESS), "setting the foreign-ABI action")
        deny = _ERRNO | errno.EPERM
        for name in DENIED:
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number >= 0:  # a call this architecture does not have needs no rule
                _check(lib.seccomp_rule_add_array(ctx, deny, number, 0, None), f"denying {name}")
        # clone creates a process unless it makes a thread of this one
        no_thread = (_ArgCmp * 1)(_ArgCmp(0, _CMP_MASKED_EQ, _CLONE_THREAD, 0))
        clone = lib.seccomp_syscall_resolve_name(b"clone")
        _check(lib.seccomp_rule_add_array(ctx, deny, clone, 1, no_thread), "denying clone of processes")
        clone3 = lib.seccomp_syscall_resolve_name(b"clone3")
        if clone3 >= 0:
            _check(lib.seccomp_rule_add_array(ctx, _ERRNO | errno.ENOSYS, clone3, 0, None), "denying clone3")
        _check(lib.seccomp_load(ctx), "loading the filter")
    finally:
        lib.seccomp_release(ctx)


def _check(result: int, what: str) -> None:
    if result != 0:
        raise SeccompUnavailable(f"seccomp: {what} failed ({errno.errorcode.get(-result, result)})")
