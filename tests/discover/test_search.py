"""The template search: operators, the behaviour archive, question folds, matched-budget tables, a whole run."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

import autotts.discover.template_discovery as template_discovery
from autotts.discover import discover
from autotts.discover.archive import Archive
from autotts.discover.budgets import Sweep, attainable, budget_table
from autotts.discover.genome_evaluation import question_folds
from autotts.discover.proposers import ProposalContext, build_proposer
from autotts.discover.proposers.evolve import PLAIN, EvolveProposer, combine
from autotts.discover.proposers.template import CMC_GENOME, KNOBS, RACE_GENOME, STARTS, Genome, parse_genome, render
from autotts.discover.sandbox import check_source
from autotts.discover.search import load_generations


def _valid(genome: Genome) -> None:
    if genome.splice:
        _valid(genome.splice[1])
    for name, at0, at1 in genome.knobs:
        spec = KNOBS[name]
        assert spec.low <= min(at0, at1) and max(at0, at1) <= spec.high, name
        assert spec.direction != "up" or at1 >= at0, name
        assert spec.direction != "down" or at1 <= at0, name


def test_breeding_is_deterministic_and_every_operator_keeps_genomes_in_range_and_monotone() -> None:
    breeder = EvolveProposer()

    def children(seed: int) -> list[tuple[Genome, tuple[str, ...], str]]:
        rng = random.Random(seed)
        return [breeder.breed(rng, ("a", CMC_GENOME), ("b", RACE_GENOME)) for _ in range(200)]

    first = children(1)
    assert first == children(1)
    ops = [op.split("; ") for _, _, op in first]
    assert {o.split()[0] for chain in ops for o in chain} == {"mutate", "swap", "combine", "drop", "splice"}
    assert 1.3 < np.mean([len(chain) for chain in ops]) < 2.7  # one operator, then each more with p = 0.5
    for (child, parents, op), chain in zip(first, ops, strict=True):
        _valid(child)
        assert parents == (("a", "b") if "combine" in op or "splice" in op else ("a",))
        if len(chain) == 1 and op.startswith("drop"):
            slot = op.split()[1]
            assert child.choice[slot] == PLAIN[slot] != CMC_GENOME.choice[slot]
        if len(chain) == 1 and op.startswith("splice"):  # CMC below the beta, the race from it on
            beta = float(op.rpartition(" ")[2])
            assert op == f"splice a + b at beta {beta:g}"
            assert child.at(beta - 0.01) == CMC_GENOME and child.at(beta) == RACE_GENOME
        if len(chain) == 2 and chain[0].startswith("splice") and chain[1].endswith(")"):
            beta = float(chain[0].rpartition(" ")[2])  # the second operator changed one side only
            unchanged, side = (RACE_GENOME, child.at(beta)) if "below" in chain[1] else (CMC_GENOME, child.at(0.0))
            assert side == unchanged and child.at(0.0) != child.at(beta)


def test_combining_takes_a_slot_with_the_knobs_its_variant_reads() -> None:
    race_like = Genome.build({**CMC_GENOME.choice, "settle": "streak"},
                             {**CMC_GENOME.lines, "settle_probes": (20, 30)})
    child, what = combine(random.Random(0), CMC_GENOME, race_like)
    assert what == "settle streak"
    assert child.choice["settle"] == "streak" and child.lines["settle_probes"] == (20, 30)
    assert child.lines["n_init"] == CMC_GENOME.lines["n_init"]


def test_evolve_as_a_plain_proposer_writes_valid_files_naming_their_parents(tmp_path: Path) -> None:
    context = ProposalContext(round=1, count=6, seed=3, brief="", feedback="", elites=[
        ("r00c03", render(CMC_GENOME, "parent"), 60.0)], seen_sources=frozenset(), workdir=tmp_path,
        cache_dir=tmp_path, spent=lambda: 0.0)
    proposals = build_proposer("evolve").propose(context)
    assert len({p.source for p in proposals}) == 6
    for p in proposals:
        assert p.parents[0] == "r00c03" and p.note
        assert check_source(p.source or "") == []
        genome = parse_genome(p.source or "")
        assert genome is not None and genome != CMC_GENOME
        _valid(genome)


def test_the_archive_keeps_each_cell_s_best_and_draws_parents_from_occupied_cells() -> None:
    archive = Archive()
    assert archive.offer("a", (0, 0), 50.0) and archive.offer("b", (1, 0), 40.0)
    assert not archive.offer("c", (0, 0), 50.0)  # a tie keeps the older elite
    assert archive.offer("d", (0, 0), 55.0)
    assert archive.elites() == [("d", 55.0), ("b", 40.0)]
    drawn = archive.parents(random.Random(0), 400)
    assert set(drawn) == {"d", "b"} and drawn.count("d") > drawn.count("b")


def test_question_folds_are_disjoint_cover_every_question_and_depend_only_on_the_seed() -> None:
    search, pick = question_folds(30, 3, seed=0)
    assert len(pick) == 10 and not set(search) & set(pick) and sorted(search + pick) == list(range(30))
    assert question_folds(30, 3, seed=0) == (search, pick) != question_folds(30, 3, seed=1)
    assert question_folds(30, 1, seed=0) == (tuple(range(30)), ())


def test_attainable_accuracy_mixes_two_betas_and_is_undefined_below_the_cheapest() -> None:
    tokens, accuracy = np.array([100.0, 300.0, 400.0]), np.array([50.0, 60.0, 58.0])
    assert attainable(tokens, accuracy, 200.0)[0] == pytest.approx(55.0)
    assert attainable(tokens, accuracy, 1000.0)[0] == 60.0  # flat past the dearest, the best of them
    assert np.isnan(attainable(tokens, accuracy, 50.0)[0])


def test_the_budget_table_is_sure_of_a_clear_gain_and_not_of_noise() -> None:
    rng = np.random.default_rng(0)
    base = rng.random((2, 3, 30))
    tokens = np.broadcast_to(np.array([1e5, 3e5, 6e5])[None, :, None], (2, 3, 30)).copy()
    theirs = Sweep(("m1", "m2"), (0.0, 0.5, 1.0), base * 0.6, tokens)
    better = Sweep(("m1", "m2"), (0.0, 0.5, 1.0), np.clip(base * 0.6 + 0.2, 0, 1), tokens)
    clear = budget_table(better, theirs, (2e5, 6e5), draws=500)
    assert all(r.gain > 0 and r.significant for r in clear)
    noise = Sweep(("m1", "m2"), (0.0, 0.5, 1.0), np.clip(base * 0.6 + rng.normal(0, 0.05, base.shape), 0, 1), tokens)
    assert not any(r.significant for r in budget_table(noise, theirs, (2e5,), draws=500))
    assert np.isnan(budget_table(better, theirs, (5e4,), draws=50)[0].gain)


def test_a_search_run_records_lineage_picks_on_unsearched_questions_and_reads_held_out_data_last(
        toy_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[tuple[str, bool]] = []  # (benchmark, whether best.py existed when it was loaded)
    real_load = template_discovery.load_matrices

    def spying_load(store, models=(), benchmarks=()):  # type: ignore[no-untyped-def]
        read.extend((b, (tmp_path / "run" / "best.py").exists()) for b in benchmarks)
        return real_load(store, models, benchmarks)

    monkeypatch.setattr(template_discovery, "load_matrices", spying_load)
    result = discover(toy_store, search_benchmark="toy", out=tmp_path / "run", generations=2, population=12,
                      folds=2, seeds=3, search_seeds=2, finalists=3, betas=(0.0, 0.5, 1.0), progress=False)
    summary = result.summary
    assert read == [("heldout", True)]
    records = load_generations(tmp_path / "run")
    assert len(records) == 24 and [r.operator for r in records[: len(STARTS)]] == [f"start {n}" for n in STARTS]
    ids = {r.candidate_id: r for r in records}
    for r in records[len(STARTS):]:
        assert r.parents and all(ids[p].generation < r.generation or p < r.candidate_id for p in r.parents)
    assert summary["lineage"][0]["candidate"] == result.best_candidate
    assert summary["lineage"][-1]["operator"].startswith("start") and not summary["winner_is_a_start"]
    for ancestor in summary["lineage"]:  # what the report reads of each: its file and its record
        kept = json.loads((tmp_path / "run" / "candidates" / ancestor["candidate"] / "result.json").read_text())
        assert kept["proposal"]["note"] == ancestor["operator"] and kept["proposal"]["source"]
    assert not set(summary["folds"]["search"]) & set(summary["folds"]["pick"])
    assert set(summary["budget_tables"]) == {"pick fold", "heldout"}
    assert len(summary["budget_tables"]["heldout"]["rows"]) == 6 and "budget" in summary["report"]
    assert (tmp_path / "run" / "best.py").read_text() == (
        tmp_path / "run" / "candidates" / result.best_candidate / "candidate.py").read_text()
    assert summary["search"]["candidates"] == 24 and summary["speed"]["cpu_seconds"] > 0
    again = discover(toy_store, search_benchmark="toy", out=tmp_path / "run", generations=2, population=12,
                     folds=2, seeds=3, search_seeds=2, finalists=3, betas=(0.0, 0.5, 1.0), progress=False,
                     skip_heldout=True)
    assert again.best_candidate == result.best_candidate
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["search"]["candidates"] == 24
    assert summary["speed"]["evaluated"] == 24 and again.summary["speed"]["evaluated"] == 0  # none evaluated again
