"""A ``--proposer command`` agent that goes for the gold answers itself (tests/security/gold_proposer.py).

No check of the candidate can catch what the agent bakes into it, so the agent runs jailed: it writes
its candidate (the run finishes and scores it), but finds no store to read, so it scores on no trap
question. With ``--unsafe-no-isolation`` the same agent reads the store and answers every trap.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autotts.discover.sandbox.agent import _bwrap_problem, jailed
from tests.security import harness as h

PEAK_RSS_MB = 1024  # the discovery on a tiny store: ~250 MB


def test_a_command_proposer_cannot_bake_gold_answers_into_its_candidate(tmp_path: Path) -> None:
    store = h.build_vault(tmp_path / "vault")
    here = Path(__file__).parent
    feeder = f"{sys.executable} {here / 'gold_proposer.py'} {{workspace}} {here / 'gold_lookup.py'}"
    ran = h.run_cli("discover", "--store", str(store), "--search-benchmark", h.SEARCH, "--rounds", "1",
                    "--candidates", "1", "--proposer", "command", "--proposer-param", f"command={feeder}",
                    "--betas", "0,1", "--search-seeds", "1", "--seeds", "1", "--finalists", "1",
                    "--no-progress", "--out", str(tmp_path / "run"))
    assert ran.returncode == 0, ran.stderr[-2000:]
    result = tmp_path / "run" / "candidates" / "r00c00" / "result.json"
    record = json.loads(result.read_text())
    assert record.get("points"), f"the agent's candidate was not scored: {record.get('failure')}"
    assert not h.trap_hits(record), (
        f"the proposer read gold from the store and its candidate scored on trap questions: {h.trap_hits(record)}")


def test_an_agent_flooding_its_output_leaves_the_discovery_small(tmp_path: Path) -> None:
    store = h.build_vault(tmp_path / "vault")
    feeder = f"{sys.executable} {Path(__file__).parent / 'flood_proposer.py'} {{workspace}} {h.ATTACKS / 'honest.py'}"
    ran = h.run_cli("discover", "--store", str(store), "--search-benchmark", h.SEARCH, "--rounds", "1",
                    "--candidates", "1", "--proposer", "command", "--proposer-param", f"command={feeder}",
                    "--betas", "0,1", "--search-seeds", "1", "--seeds", "1", "--finalists", "1",
                    "--no-progress", "--out", str(tmp_path / "run"))
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.peak_rss_mb < PEAK_RSS_MB, f"the discovery grew to {ran.peak_rss_mb:.0f} MB on its agent's output"
    record = json.loads((tmp_path / "run" / "candidates" / "r00c00" / "result.json").read_text())
    assert record.get("points"), f"the agent's candidate was not scored: {record.get('failure')}"


def _jailed_agent(tmp_path: Path, agent: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the agent file ``agent`` (beside this module) in the jail a discovery gives its first workspace."""
    if _bwrap_problem():
        pytest.skip(f"no bubblewrap: {_bwrap_problem()}")
    run = tmp_path / "run"
    workspace = run / "rounds" / "r00" / "workspace-00"
    workspace.mkdir(parents=True)
    argv = [sys.executable, str(Path(__file__).parent / agent), *(a.format(workspace=workspace) for a in args)]
    done = subprocess.run(jailed(argv, workspace, run), cwd=workspace, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done


def test_a_jailed_agent_cannot_set_the_kernel_s_settings(tmp_path: Path) -> None:
    done = _jailed_agent(tmp_path, "kernel_settings_proposer.py", "{workspace}")
    assert not done.stdout, f"the agent could write kernel settings (root outside the jail):\n{done.stdout}"


def test_a_jailed_agent_cannot_read_root_only_files(tmp_path: Path) -> None:
    done = _jailed_agent(tmp_path, "root_files_proposer.py")
    read = [line for line in done.stdout.splitlines() if line.startswith("read: ")]
    assert not read, f"the agent read root-only files: {read} ({done.stdout.splitlines()[-1]})"
