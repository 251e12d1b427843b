"""Running untrusted controller code: OS isolation, trusted accounting, commit-then-verify (docs/SANDBOX.md)."""

from autotts.discover.sandbox.isolation import UNSAFE_FLAG, Isolation, IsolationUnavailable, isolation_problem
from autotts.discover.sandbox.process import SandboxLimits, WorkerFailure
from autotts.discover.sandbox.runner import Group, UntrustedRunner
from autotts.discover.sandbox.source import SourceRejected, check_text, read_source
from autotts.discover.sandbox.static_check import StaticViolation, check_source
from autotts.discover.sandbox.trust import is_template_source, trusted_controller
from autotts.discover.sandbox.verify import FINAL, SEARCH, VerifyLevel

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
