"""Answer extraction and grading on realistic trace endings (cases in data/extraction_cases.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from autotts.rollout.extract import last_boxed, read_open_box
from autotts.rollout.grade import ERR, MAX_ANSWER_CHARS

CASES = json.loads((Path(__file__).parent / "data" / "extraction_cases.json").read_text())


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c.get("name") or f"{c['gold']} vs {c['raw']}" for c in cases]


@pytest.mark.parametrize("case", CASES["last_boxed"], ids=_ids(CASES["last_boxed"]))
def test_final_answer_is_the_last_complete_box(case: dict[str, Any]) -> None:
    assert last_boxed(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", CASES["probe_continuation"], ids=_ids(CASES["probe_continuation"]))
def test_probe_answer_runs_to_the_brace_closing_the_forced_box(case: dict[str, Any]) -> None:
    assert read_open_box(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", CASES["grading"], ids=_ids(CASES["grading"]))
def test_grading_maps_answers_to_canonical_strings(case: dict[str, Any]) -> None:
    from autotts.rollout.grade import QuestionGrader

    pytest.importorskip("math_verify")
    grader = QuestionGrader(case["gold"])
    assert grader.canonical(case["raw"]) == case["canonical"]
    assert grader.is_correct(case["raw"]) is case["correct"]


@pytest.mark.parametrize("case", CASES["grading_sequences"], ids=_ids(CASES["grading_sequences"]))
def test_equivalent_answers_share_one_string_within_a_question(case: dict[str, Any]) -> None:
    from autotts.rollout.grade import QuestionGrader

    pytest.importorskip("math_verify")
    grader = QuestionGrader(case["gold"])
    assert [grader.canonical(r) for r in case["raws"]] == case["canonical"]


def test_overlong_answers_are_not_parsed() -> None:
    from autotts.rollout.grade import QuestionGrader

    pytest.importorskip("math_verify")
    assert QuestionGrader("1").canonical("1" + "+0" * MAX_ANSWER_CHARS) == ERR


def test_grading_works_outside_the_main_thread() -> None:
    """math-verify's default timeouts use signals and raise in worker threads; ours are off."""
    from concurrent.futures import ThreadPoolExecutor

    from autotts.rollout.grade import QuestionGrader

    pytest.importorskip("math_verify")
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(lambda raw: QuestionGrader("\\frac{1}{2}").is_correct(raw), ["0.5", "1/3"])) == [
            True,
            False,
        ]
