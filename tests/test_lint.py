"""The mechanism source is rendered into every template candidate, so it must stay ruff- and mypy-clean.

The whole package is checked by hand (``ruff check . && mypy autotts``, a minute of CPU); CI checks only the
mechanisms, with the numeric libraries' large stubs skipped so the check costs seconds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MECHANISMS = Path(__file__).resolve().parents[1] / "autotts" / "discover" / "mechanisms"

# Our own modules are followed and checked against; numpy/numba/duckdb/polars are read as Any.
MYPY_CONFIG = """\
[mypy]
python_version = 3.11
ignore_missing_imports = True
follow_imports = silent
[mypy-numpy.*,numba.*,llvmlite.*,duckdb.*,polars.*]
follow_imports = skip
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=300)


def test_ruff_passes_the_mechanism_source() -> None:
    done = _run("ruff", "check", str(MECHANISMS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_passes_the_mechanism_source(tmp_path: Path) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text(MYPY_CONFIG)
    done = _run("mypy", "--config-file", str(config), "--cache-dir", str(tmp_path / "cache"), str(MECHANISMS))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout
