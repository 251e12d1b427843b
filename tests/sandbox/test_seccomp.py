"""The worker's seccomp filter, installed in a throwaway process: what it denies, and that threads still run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autotts.discover.sandbox import seccomp
from autotts.discover.sandbox.seccomp import libseccomp_path

pytestmark = pytest.mark.skipif(libseccomp_path() is None, reason="libseccomp is not installed")

PROBE = Path(__file__).parent / "programs" / "seccomp_probe.py"


def test_the_filter_denies_processes_programs_sockets_tracing_and_signals() -> None:
    done = subprocess.run([sys.executable, str(PROBE), seccomp.__file__], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome.pop("thread") == "ran"
    assert outcome == dict.fromkeys(outcome, "denied 1")  # EPERM, every one
    assert len(outcome) >= 9
