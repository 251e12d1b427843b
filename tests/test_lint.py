"""The mechanism source is rendered into every template candidate, so it must stay ruff- and mypy-clean; the
tests are type-checked too (against our own modules' types), so a test cannot drift from the API it tests.

The whole package is checked by hand (``ruff check . && mypy autotts tests``, a minute of CPU); CI checks the
mechanisms and the tests in one mypy run, with the large third-party packages read as Any so it costs seconds
(~11 CPU-s from a cold cache, 4-5 of them for the tests).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MECHANISMS = REPO / "autotts" / "discover" / "mechanisms"
TESTS = REPO / "tests"

# Our own modules are followed and checked against; the large third-party packages are read as Any (following
# prefect, ray and openai would cost a minute); the security tests' hostile controller files are data.
MYPY_CONFIG = """\
[mypy]
python_version = 3.11
ignore_missing_imports = True
follow_imports = silent
exclude = (^|/)tests/security/attacks/
[mypy-numpy.*,numba.*,llvmlite.*,duckdb.*,polars.*,prefect.*,ray.*,openai.*,anthropic.*,pydantic.*,matplotlib.*,\
hypothesis.*,httpx.*,dvc.*,yaml.*,vllm.*,torch.*,transformers.*]
follow_imports = skip
[mypy-ray._raylet,ray.core.generated.*]
follow_imports = skip
follow_imports_for_stubs = True
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=300)


def test_ruff_passes_the_mechanism_source() -> None:
    done = _run("ruff", "check", str(MECHANISMS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_passes_the_mechanism_source_and_the_tests(tmp_path: Path) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text(MYPY_CONFIG)
    done = _run("mypy", "--config-file", str(config), "--cache-dir", str(tmp_path / "cache"), str(MECHANISMS),
                str(TESTS))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout
