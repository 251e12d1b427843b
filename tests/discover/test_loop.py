"""The loop: bad candidates become history and the run goes on; kill and resume; the winner runs anywhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from autotts.discover import discover
from autotts.discover.api import choose_finalists
from autotts.discover.history import CandidateRecord
from autotts.discover.proposers import Proposal, ProposalContext, Proposer, register_proposer
from autotts.discover.sandbox import SandboxLimits
from autotts.errors import DiscoveryError
from tests import candidates

GOOD = candidates.source(candidates.HONEST)
# The misbehaving candidates, one per way to fail (None: a reply without code), then a good one.
SCRIPT = [*map(candidates.source, ["gold_by_introspection", "opens_a_file", "imports_socket", "loops_forever",
                                   "allocates_10gb", "raises", "not_monotone", "peeks_by_private_name"]), None, GOOD]


@register_proposer("scripted-test")
class Scripted(Proposer):
    """Proposes the misbehaving candidates above, in order, then a good one."""

    def propose(self, context: ProposalContext) -> list[Proposal]:
        return [Proposal(src, self.name, note="" if src else "no code in the reply") for src in SCRIPT][: context.count]


@register_proposer("good-test")
class Good(Proposer):
    """Proposes one rule-abiding candidate."""

    def propose(self, context: ProposalContext) -> list[Proposal]:
        return [Proposal(GOOD, self.name)]


def test_every_failure_is_recorded_with_its_reason_and_the_loop_goes_on(toy_store: Path, tmp_path: Path) -> None:
    result = discover(
        toy_store, search_benchmark="toy", rounds=1, candidates=len(SCRIPT), proposer="scripted-test", out=tmp_path,
        search_seeds=1, seeds=2, finalists=1, betas=(0.0, 1.0), progress=False,
        limits=SandboxLimits(cpu_seconds=4, wall_seconds=60.0, memory_mb=1536),
    )
    reasons = [json.loads((tmp_path / "candidates" / f"r00c{i:02d}" / "result.json").read_text())["failure"]
               for i in range(len(SCRIPT))]
    assert [r and r["reason"] for r in reasons] == [
        "static", "static", "static", "timeout", "memory", "exception", "non-monotone", "static", "no-code", None]
    assert result.best_candidate == "r00c09"
    assert (tmp_path / "best.py").read_text() == GOOD
    assert result.summary["rejections"]["static"] == 4
    con = duckdb.connect(str(toy_store), read_only=True)
    rows = con.execute(
        "SELECT candidate_id, status, reason FROM discovery_candidates WHERE reason = 'memory'"
    ).fetchall()
    con.close()
    assert rows == [("r00c04", "rejected", "memory")]


def test_the_search_reads_the_search_benchmark_only(toy_store: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import autotts.discover.api as api

    asked = []
    real = api.load_matrices

    def spy(store, models=(), benchmarks=()):
        asked.append(list(benchmarks))
        return real(store, models, benchmarks)

    monkeypatch.setattr(api, "load_matrices", spy)
    monkeypatch.setattr(api, "sc_reference", lambda matrices, seeds: {})
    discover(toy_store, search_benchmark="toy", rounds=1, candidates=1, proposer="good-test", out=tmp_path,
             search_seeds=1, seeds=1, progress=False, record=False)
    assert asked == [["toy"]]


def test_resuming_with_other_settings_is_refused(toy_store: Path, tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text(json.dumps({"rounds": 99}))
    with pytest.raises(DiscoveryError, match="other settings"):
        discover(toy_store, search_benchmark="toy", rounds=1, candidates=1, out=tmp_path, progress=False)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "autotts", *args]


def test_a_search_killed_mid_run_resumes_after_its_last_generation_without_recomputing(
        toy_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    command = _cli("discover", "--store", str(toy_store), "--search-benchmark", "toy", "--generations", "3",
                   "--population", "8", "--folds", "2", "--search-seeds", "1", "--seeds", "2", "--finalists", "2",
                   "--jobs", "1", "--skip-heldout", "--no-progress", "--out", str(out))
    first = out / "generations" / "g000.json"
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not first.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert first.exists(), "the first generation was never recorded"
    assert not (out / "summary.json").exists(), "the run finished before it could be killed"
    recorded = {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in out.glob("generations/*.json")}

    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    after = {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in out.glob("generations/*.json")}
    assert sorted(after) == ["g000.json", "g001.json", "g002.json"]
    assert all(after[name] == recorded[name] for name in recorded), "a recorded generation was evaluated again"
    assert not list(out.rglob(".*.tmp")), "a temporary file was left behind"
    con = duckdb.connect(str(toy_store), read_only=True)
    row = con.execute("SELECT count(*) FROM discovery_candidates WHERE run_id = "
                      "(SELECT run_id FROM discovery_runs WHERE out_dir = ?)", [str(out)]).fetchone()
    con.close()
    assert row == (24,)

    ran = subprocess.run(_cli("eval", "--store", str(toy_store), "--controller", str(out / "best.py"), "--beta", "0",
                              "--beta", "1", "--seeds", "2", "--benchmark", "heldout", "--no-record", "--json"),
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert len(ran.stdout.strip().splitlines()) == 4  # 2 models x 2 betas


def test_the_first_round_s_best_keeps_a_place_among_the_finalists() -> None:
    def record(cid: str, round_: int, score: float) -> CandidateRecord:
        return CandidateRecord(cid, round_, 0, Proposal("...", "evolve"), cid, None, score=score)

    ranked = [record("r03c00", 3, 65.0), record("r02c01", 2, 64.9), record("r04c02", 4, 64.8),
              record("r00c01", 0, 64.7), record("r00c00", 0, 64.1)]
    assert [r.candidate_id for r in choose_finalists(ranked, 3)] == ["r03c00", "r02c01", "r00c01"]
    assert [r.candidate_id for r in choose_finalists(ranked[3:], 2)] == ["r00c01", "r00c00"]
    assert [r.candidate_id for r in choose_finalists(ranked, 1)] == ["r03c00"]
