"""The proposer as the attacker: a ``--proposer command`` agent that reads the store itself."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.security import harness as h


def test_a_command_proposer_cannot_bake_gold_answers_into_its_candidate(tmp_path: Path) -> None:
    store = h.build_vault(tmp_path / "vault")
    feeder = f"{sys.executable} {Path(__file__).parent / 'gold_proposer.py'} {{workspace}}"
    ran = h.run_cli("discover", "--store", str(store), "--search-benchmark", h.SEARCH, "--rounds", "1",
                    "--candidates", "1", "--proposer", "command", "--proposer-param", f"command={feeder}",
                    "--betas", "0,1", "--search-seeds", "1", "--seeds", "2", "--finalists", "1",
                    "--no-progress", "--out", str(tmp_path / "run"))
    result = tmp_path / "run" / "candidates" / "r00c00" / "result.json"
    record = json.loads(result.read_text()) if result.exists() else {}
    assert not h.trap_hits(record), (
        f"the proposer read gold from the store and its candidate scored on trap questions: {h.trap_hits(record)}"
        f" (discover exited {ran.returncode})")
