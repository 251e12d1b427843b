"""The shared shape of a stage's command line: ``--params`` plus explicit paths, one-line errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from autotts.errors import AutoTTSError

__all__ = ["run_stage_main", "stage_parser"]


def stage_parser(name: str, doc: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m stages.{name}", description=(doc or "").splitlines()[0])
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="params file (default params.yaml)")
    return parser


def run_stage_main(name: str, body: Callable[[], None]) -> int:
    """Run a stage's body; a user error prints ``stage NAME: error: ...`` and exits 1."""
    try:
        body()
    except AutoTTSError as exc:
        print(f"stage {name}: error: {exc}", file=sys.stderr)
        return 1
    return 0
