"""Running untrusted controller code: OS isolation, trusted accounting, commit-then-verify (docs/SANDBOX.md).

The names below are loaded on first use (PEP 562), so a command that needs one
light piece (``eval``'s ``UNSAFE_FLAG``) does not load the runner and numba with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autotts.discover.sandbox.isolation import Isolation, IsolationUnavailable, isolation_problem
    from autotts.discover.sandbox.opt_out import UNSAFE_FLAG
    from autotts.discover.sandbox.process import SandboxLimits, WorkerFailure
    from autotts.discover.sandbox.runner import Group, UntrustedRunner
    from autotts.discover.sandbox.source import SourceRejected, check_text, read_source
    from autotts.discover.sandbox.static_check import StaticViolation, check_source
    from autotts.discover.sandbox.trust import is_template_source, trusted_controller
    from autotts.discover.sandbox.verify import FINAL, SEARCH, VerifyLevel

_HOME = {
    "isolation": ("Isolation", "IsolationUnavailable", "isolation_problem"),
    "opt_out": ("UNSAFE_FLAG",),
    "process": ("SandboxLimits", "WorkerFailure"),
    "runner": ("Group", "UntrustedRunner"),
    "source": ("SourceRejected", "check_text", "read_source"),
    "static_check": ("StaticViolation", "check_source"),
    "trust": ("is_template_source", "trusted_controller"),
    "verify": ("FINAL", "SEARCH", "VerifyLevel"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = [
    "FINAL",
    "SEARCH",
    "UNSAFE_FLAG",
    "Group",
    "Isolation",
    "IsolationUnavailable",
    "SandboxLimits",
    "SourceRejected",
    "StaticViolation",
    "UntrustedRunner",
    "VerifyLevel",
    "WorkerFailure",
    "check_source",
    "check_text",
    "is_template_source",
    "isolation_problem",
    "read_source",
    "trusted_controller",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
