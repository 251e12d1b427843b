"""Table 1, the HTML page and stage outputs, on small literal data."""

from __future__ import annotations

import base64
from pathlib import Path

import polars as pl
import pytest

from autotts.discover.history import CandidateRecord
from autotts.discover.proposers.base import Proposal
from autotts.discover.proposers.template import CMC_GENOME, RACE_GENOME, render
from autotts.files import atomic_dir
from autotts.report import (
    Figure,
    Section,
    Table,
    budget_rows,
    budget_table,
    budget_verdicts,
    data_uri,
    markdown_table,
    mechanism_table,
    paper_mismatches,
    read_winner,
    render_markdown,
    render_page,
    summary_table,
    table1,
    winner_paragraphs,
)
from autotts.report.html import html_table
from autotts.report.matched import matched_budget_section
from stages.io import EVAL_SCHEMA, write_json


def _rows(*rows: tuple[str, str, str, float, float]) -> pl.DataFrame:
    full = [{**{k: None for k in EVAL_SCHEMA}, "model": m, "benchmark": b, "label": label, "accuracy": acc,
             "avg_tokens": tok} for m, b, label, acc, tok in rows]
    return pl.DataFrame(full, schema=EVAL_SCHEMA)


def _per_question(model: str, label: str, correct: list[float], tokens: list[float]) -> dict[str, object]:
    return {**{k: None for k in EVAL_SCHEMA}, "model": model, "benchmark": "b", "label": label,
            "accuracy": 100 * sum(correct) / len(correct), "avg_tokens": sum(tokens) / len(tokens),
            "q_correct": correct, "q_tokens": tokens}


def test_table1_puts_search_and_heldout_side_by_side_with_paper_figures() -> None:
    evals = _rows(("M", "a24", "SC@64", 80.0, 900_000), ("M", "a25", "SC@64", 76.0, 1_100_000),
                  ("M", "a24", "Discovered(beta=0.5)", 82.5, 250_000))
    table = table1(evals, {"a24": "search", "a25": "heldout"}, ["SC@64", "Discovered(beta=0.5)", "Missing"],
                   published={("M", "a24", "SC@64"): (80.2, 899.9)})
    assert table.header[2:4] == ("a24 (search) acc %", "a24 (search) tokens k")
    assert table.rows == (
        ("M", "SC@64", "80.00 (80.20)", "900.0 (899.9)", "76.00", "1100.0"),
        ("M", "Discovered(beta=0.5)", "82.50", "250.0", "-", "-"),
    )
    assert markdown_table(table).splitlines()[1] == "| --- | --- | ---: | ---: | ---: | ---: |"


def test_page_inlines_images_and_escapes_text(tmp_path: Path) -> None:
    png = tmp_path / "fig.png"
    png.write_bytes(b"\x89PNG fake")
    page = render_page("a <b>", [Section("s", text="x < y", tables=[Table(("h",), (("v",),))], figures=[Figure(png)])])
    assert "a &lt;b&gt;" in page and "x &lt; y" in page
    assert f"src='data:image/png;base64,{base64.b64encode(png.read_bytes()).decode()}'" in page
    with pytest.raises(ValueError, match="MIME"):
        data_uri(tmp_path / "fig.gif")


def test_atomic_dir_replaces_a_folder_whole_and_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_dir(target) as tmp:
        (tmp / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "half.txt").write_text("half")
        raise RuntimeError("stage failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with atomic_dir(target) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    write_json(tmp_path / "m.json", {"b": 1, "a": 2})
    assert (tmp_path / "m.json").read_text() == '{\n  "a": 2,\n  "b": 1\n}\n'


def test_figures_of_dotted_model_names_do_not_overwrite_each_other(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from autotts.report.plots import save_figure

    written = []
    for bench in ("aime24", "aime25"):
        written += save_figure(plt.figure(), tmp_path / f"curves-Qwen3-0.6B-{bench}", ["png"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "curves-Qwen3-0.6B-aime24.png", "curves-Qwen3-0.6B-aime25.png"
    ]
    assert len(set(written)) == 2


def test_table1_marks_each_models_best_and_flags_figures_off_the_papers() -> None:
    evals = _rows(("M", "a", "SC@64", 80.0, 900_000), ("M", "a", "CMC(beta=1)", 83.0, 400_000),
                  ("N", "a", "SC@64", 70.0, 800_000), ("N", "a", "CMC(beta=1)", 69.0, 500_000))
    published = {("M", "a", "SC@64"): (80.0, 900.0), ("M", "a", "CMC(beta=1)"): (83.4, 400.0)}
    table = table1(evals, {"a": "search"}, ["SC@64", "CMC(beta=1)"], published=published)
    # rows: M SC, M CMC, N SC, N CMC; columns 2 (accuracy) and 3 (tokens)
    assert table.best == {(1, 2), (1, 3), (2, 2), (3, 3)}
    assert table.flagged == {(1, 2)}  # 83.0 vs 83.4; 80.0 vs 80.0 and the tokens agree
    assert "| M | CMC(beta=1) | **83.00 (83.40)** ⚠ | **400.0 (400.0)** |" in markdown_table(table)
    (mismatch,) = paper_mismatches(evals, published)
    assert (mismatch.model, mismatch.label, mismatch.figure) == ("M", "CMC(beta=1)", "accuracy")
    assert mismatch.describe() == "accuracy 83.00% vs the paper's 83.4% (-0.40 points)"
    page = html_table(table)
    assert "<td class='num best flag'>83.00 (83.40)</td>" in page and "<tr class=group>" in page


def test_summary_table_averages_over_models_and_marks_the_best_per_column() -> None:
    evals = _rows(("M", "a", "SC@64", 80.0, 900_000), ("N", "a", "SC@64", 70.0, 700_000),
                  ("M", "a", "Discovered(beta=1)", 84.0, 300_000), ("N", "a", "Discovered(beta=1)", 72.0, 500_000))
    table = summary_table(evals, {"a": "search"}, ["SC@64", "Discovered(beta=1)"])
    assert table.rows == (("SC@64", "75.00", "800.0"), ("Discovered(beta=1)", "78.00", "400.0"))
    assert table.best == {(1, 1), (1, 2)}


def test_budget_intervals_separate_a_real_gain_from_noise() -> None:
    n = 30
    reference = [1.0, 0.0] * (n // 2)
    evals = pl.DataFrame([
        _per_question("M", "CMC(beta=1)", reference, [100.0] * n),
        _per_question("M", "Discovered(beta=0.5)", reference, [40.0] * n),  # the same answers, fewer tokens
        _per_question("M", "Discovered(beta=1)", [1.0] * n, [90.0] * n),  # right wherever CMC was, and more
    ], schema=EVAL_SCHEMA)
    sweep = [(0.5, "Discovered(beta=0.5)"), (1.0, "Discovered(beta=1)")]
    (ref,), (same, better) = budget_rows(evals, "b", ["M"], sweep, ["CMC(beta=1)"])
    assert (ref.accuracy, ref.tokens_k) == (50.0, 0.1)
    assert (same.gain[0].value, same.gain[0].low, same.gain[0].high) == (0.0, 0.0, 0.0)
    assert same.token_share[0].value == pytest.approx(0.4)
    assert better.gain[0].value == pytest.approx(50.0) and better.gain[0].low > 30
    (verdict,) = budget_verdicts([ref], [same, better], token_bar=[1.0])
    assert verdict.startswith("Against CMC(beta=1) (50.00% at 0.1k tokens; the bar: its accuracy with fewer tokens): "
                              "met; the cheapest beta reaching its accuracy, beta=0.5")
    assert "the same accuracy on every question" in verdict and "40% of its tokens" in verdict
    table = budget_table([ref], [same, better])
    assert table.rows[2][3].startswith("+50.00 (+")


def _candidate(cid: str, round_: int, parents: tuple[str, ...], source: str, score: float,
               note: str = "") -> CandidateRecord:
    return CandidateRecord(cid, round_, 0, Proposal(source, "evolve", parents, note=note), "h", None, score=score)


def test_the_winner_is_told_by_its_mechanisms_and_its_line_of_parents(tmp_path: Path) -> None:
    cmc_like = render(CMC_GENOME, "Candidate of round 2 by evolve from r01c01, r00c00.")
    records = [_candidate("r00c00", 0, (), '"""A starting design."""', 1.0),
               _candidate("r01c01", 1, ("r00c00",), '"""Candidate of round 1 by evolve from r00c00."""', 2.0),
               _candidate("r02c00", 2, ("r01c01", "r00c00"), cmc_like, 3.0)]
    for record in records:
        write_json(tmp_path / "candidates" / record.candidate_id / "result.json", record.to_json())
    write_json(tmp_path / "summary.json", {"best_candidate": "r02c00", "objective": "frontier",
                                           "verdict": "clearly better than the runner-up"})
    winner = read_winner(tmp_path)
    assert [(m.slot, m.variant) for m in winner.mechanisms] == list(CMC_GENOME.mechanisms)
    stop = next(m for m in winner.mechanisms if m.slot == "stop")
    assert (stop.variant, stop.does) == ("ema", "Smoothed confidence high and not falling (CMC's rule).")
    assert ("n_init", 2.0, 8.0) in winner.knobs  # CMC opens 2 branches at beta=0, 8 at beta=1
    table = mechanism_table(winner)
    assert table is not None
    assert table.rows[0][:2] == (winner.mechanisms[0].slot, winner.mechanisms[0].variant)
    assert "<tr class=group>" not in html_table(table)  # one slot a row: no model-like groups
    text = winner_paragraphs(winner)
    assert text[0] == ("The discovered controller is candidate r02c00, chosen by the frontier objective (clearly "
                       "better than the runner-up). Candidate of round 2 by evolve from r01c01, r00c00.")
    assert "n_init 2 → 8" in text[1]
    assert text[2] == ("Lineage, newest first: r02c00 (round 2, score 3.00, crossed with r00c00) ← "
                       "r01c01 (round 1, score 2.00) ← r00c00 (round 0, score 1.00).")


def test_a_spliced_winner_lists_the_mechanisms_that_change_at_its_splice(tmp_path: Path) -> None:
    spliced = render(CMC_GENOME.spliced(0.5, RACE_GENOME), "Candidate of round 1 by evolve.")
    write_json(tmp_path / "candidates" / "r01c00" / "result.json", _candidate("r01c00", 1, (), spliced, 1.0).to_json())
    write_json(tmp_path / "summary.json", {"best_candidate": "r01c00", "objective": "worst_gain", "verdict": "sure"})
    rows = [(m.slot, m.variant) for m in read_winner(tmp_path).mechanisms]
    assert rows[:len(CMC_GENOME.mechanisms)] == list(CMC_GENOME.mechanisms)
    assert rows[len(CMC_GENOME.mechanisms):] == [(f"{slot} (beta >= 0.5)", variant) for slot, variant
                                                 in RACE_GENOME.mechanisms if CMC_GENOME.choice[slot] != variant]


def test_a_winner_the_template_did_not_write_is_told_by_its_proposers_note(tmp_path: Path) -> None:
    record = _candidate("r00c00", 0, (), "def solve(question):\n    return None\n", 1.0, note="reads two, votes")
    write_json(tmp_path / "candidates" / "r00c00" / "result.json", record.to_json())
    write_json(tmp_path / "summary.json", {"best_candidate": "r00c00", "objective": "accuracy", "verdict": "sure"})
    winner = read_winner(tmp_path)
    assert winner.mechanisms == () and mechanism_table(winner) is None
    assert winner_paragraphs(winner)[1] == "Its proposer's note: reads two, votes"


def test_markdown_carries_the_pages_prose_and_tables() -> None:
    table = Table(("Method", "acc"), (("A", "1.00"), ("B", "2.00")), best=frozenset({(1, 1)}), label_columns=1)
    text = render_markdown("T", [Section("S", paragraphs=["words"], tables=[table])])
    assert text == "# T\n\n## S\n\nwords\n\n| Method | acc |\n| --- | ---: |\n| A | 1.00 |\n| B | **2.00** |\n"


def test_the_matched_budget_section_shows_each_gain_with_its_interval_and_the_lineage_with_ideas(
        tmp_path: Path) -> None:
    records = [_candidate("g000c000", 0, (), '"""Start."""', 1.0, note="start cmc"),
               CandidateRecord("r01c00", 1, 0, Proposal('"""LLM."""', "openai", ("g000c000",), idea="vote by depth"),
                               "h", None, score=2.0),
               _candidate("g002c007", 2, ("r01c00", "g000c000"), '"""Child."""', 3.0, note="combine settle streak")]
    for record in records:
        write_json(tmp_path / "candidates" / record.candidate_id / "result.json", record.to_json())
    row = {"budget": 100_000.0, "ours": float("nan"), "theirs": 52.0, "gain": float("nan"), "low": float("nan"),
           "high": float("nan"), "p_better": 0.0, "significant": False}
    rows = [row, {**row, "budget": 150_000.0, "ours": 55.9, "theirs": 54.0, "gain": 1.9, "low": 0.7, "high": 3.4,
                  "p_better": 0.99, "significant": True},
            {**row, "budget": 250_000.0, "ours": 55.0, "theirs": 54.5, "gain": 0.5, "low": -1.0, "high": 2.0,
             "p_better": 0.7, "significant": False}]
    write_json(tmp_path / "summary.json", {"best_candidate": "g002c007", "objective": "budgets", "verdict": "sure",
                                           "budget_tables": {"aime25": {"questions": 30, "rows": rows}}})
    section = matched_budget_section(tmp_path, read_winner(tmp_path))
    budgets, lineage = section.tables
    assert budgets.rows == (("aime25", "100k", "-", "52.00", "no point this cheap", "", ""),
                            ("aime25", "150k", "55.90", "54.00", "+1.90", "+0.70 .. +3.40", "yes"),
                            ("aime25", "250k", "55.00", "54.50", "+0.50", "-1.00 .. +2.00", "no"))
    assert "not higher than CMC at 100k (no point)" in section.paragraphs[1]
    assert "significantly (95% interval above 0) at 150k" in section.paragraphs[1]
    assert [r[:4] for r in lineage.rows] == [("g002c007", "2", "combine settle streak", "r01c00, g000c000"),
                                             ("r01c00", "1", "vote by depth", "g000c000"),
                                             ("g000c000", "0", "start cmc", "-")]
