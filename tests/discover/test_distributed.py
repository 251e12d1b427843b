"""Discovery with its candidate evaluations on a real two-node Ray cluster: the same run as on one machine."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from autotts.discover import discover
from autotts.discover.evaluation import CandidateEvaluator
from autotts.discover.genome_evaluation import GenomeEvaluator, GenomeResult
from autotts.discover.proposers import Proposal, ProposalContext, Proposer, register_proposer
from autotts.discover.proposers.evolve import EvolveProposer
from autotts.discover.proposers.template import CMC_GENOME, Genome
from autotts.discover.sandbox import SandboxLimits
from tests import candidates


@register_proposer("evolve-and-files-test")
class EvolveAndFiles(Proposer):
    """The evolve search's candidates (rounds build on the scores so far), and in the first round two
    hand-written files that must go through the sandbox: one sound, one that raises."""

    def propose(self, context: ProposalContext) -> list[Proposal]:
        sources = [candidates.source(candidates.HONEST), candidates.source("raises")]
        extra = [Proposal(s, self.name) for s in sources] if context.round == 0 else []
        evolved = EvolveProposer().propose(dataclasses.replace(context, count=context.count - len(extra)))
        return evolved + extra


def _run(store: Path, out: Path, **settings: Any):  # -> DiscoveryResult
    return discover(store, search_benchmark="toy", out=out, rounds=2, candidates=4, proposer="evolve-and-files-test",
                    search_seeds=2, seeds=3, finalists=2, betas=(0.0, 1.0), progress=False, record=False,
                    limits=SandboxLimits(cpu_seconds=20, wall_seconds=60.0, memory_mb=1536), **settings)


def _results(out: Path) -> dict[str, dict[str, Any]]:
    """Every candidate's recorded result, minus the failure excerpt (it quotes the file's path on its machine)."""
    out_ = {}
    for path in sorted(out.glob("candidates/*/result.json")):
        record = json.loads(path.read_text())
        if record["failure"]:
            record["failure"].pop("excerpt", None)
        out_[path.parent.name] = record
    return out_


def test_candidates_evaluated_on_a_ray_cluster_give_the_single_machine_run(
    toy_store: Path, tmp_path: Path, ray_cluster: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = _run(toy_store, tmp_path / "here")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a candidate was evaluated on the driver")

    monkeypatch.setattr(CandidateEvaluator, "evaluate", refuse)  # the workers import their own, untouched
    spread = _run(toy_store, tmp_path / "ray", ray_address=ray_cluster, jobs=2)

    assert spread.best_candidate == here.best_candidate
    assert _results(tmp_path / "ray") == _results(tmp_path / "here")
    assert len(_results(tmp_path / "here")) == 8
    assert _results(tmp_path / "here")["r00c03"]["failure"]["reason"] == "exception"  # the sandboxed file that raises
    assert _results(tmp_path / "here")["r00c02"]["failure"] is None  # the sound sandboxed file
    drop = {"wall_seconds", "report", "run_id"}  # run_id: a hash of the run directory
    assert {k: v for k, v in spread.summary.items() if k not in drop} == {
        k: v for k, v in here.summary.items() if k not in drop}
    assert (tmp_path / "ray" / "best.py").read_text() == (tmp_path / "here" / "best.py").read_text()


def test_the_template_search_on_a_ray_cluster_gives_the_single_machine_run(
    toy_store: Path, tmp_path: Path, ray_cluster: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dict(search_benchmark="toy", generations=2, population=8, search_seeds=2, seeds=3, finalists=2,
                    folds=2, betas=(0.0, 1.0), skip_heldout=True, progress=False, record=False)
    here = discover(toy_store, out=tmp_path / "here", **settings)
    on_driver: list[Genome] = []
    real = GenomeEvaluator.evaluate

    def counted(self: GenomeEvaluator, genome: Genome) -> GenomeResult:
        on_driver.append(genome)
        return real(self, genome)

    monkeypatch.setattr(GenomeEvaluator, "evaluate", counted)
    spread = discover(toy_store, out=tmp_path / "ray", ray_address=ray_cluster, **settings)
    # CMC (the reference, replayed on each fold) and the 2 finalists only: the 16 search candidates went to the workers
    assert on_driver.count(CMC_GENOME) >= 2
    assert len(on_driver) <= 4
    assert spread.best_candidate == here.best_candidate
    for name in ("generations/g000.json", "generations/g001.json", "best.py"):
        assert (tmp_path / "ray" / name).read_text() == (tmp_path / "here" / name).read_text()
