"""The command proposer's agent, jailed: its workspace and what its command line names, nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autotts.discover.sandbox.agent import _bwrap_problem, jailed

pytestmark = pytest.mark.skipif(bool(_bwrap_problem()), reason=f"no bubblewrap: {_bwrap_problem()}")

PROBE = Path(__file__).parent / "programs" / "agent_probe.py"


def test_the_agent_writes_its_workspace_reads_what_it_names_and_nothing_of_the_run_or_store(tmp_path: Path) -> None:
    store, run = tmp_path / "vault" / "traces.duckdb", tmp_path / "run"
    store.parent.mkdir()
    store.write_text("gold")
    workspace, other = run / "rounds" / "r00" / "workspace-00", run / "candidates" / "r00c01" / "result.json"
    for folder in (workspace, other.parent):
        folder.mkdir(parents=True)
    other.write_text("{}")
    named = tmp_path / "tools" / "agent.py"
    named.parent.mkdir()
    named.write_text(PROBE.read_text())
    argv = jailed([sys.executable, str(named), str(named), str(other)], workspace, run)
    done = subprocess.run(
        argv, cwd=workspace, capture_output=True, text=True, timeout=60, env={**os.environ, "STORE": str(store)}
    )
    assert done.returncode == 0, done.stderr
    seen = dict(line.split() for line in done.stdout.splitlines())
    assert seen == {"named": "True", "store": "False", "other-candidate": "False", "parent-visible": "False"}
    assert (workspace / "candidate.py").read_text() == "edited"


def test_a_named_path_holding_the_run_directory_is_not_shown(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / "rounds" / "r00" / "workspace-00").mkdir(parents=True)
    argv = jailed(["ls", str(tmp_path)], run / "rounds" / "r00" / "workspace-00", run)
    assert f"--ro-bind {tmp_path} {tmp_path}" not in " ".join(argv)
