"""Cutting traces and building probes: the protocol of the published data."""

from __future__ import annotations

from typing import Any

import pytest

from autotts.errors import RolloutError
from autotts.rollout.benchmark_file import BenchmarkItem
from autotts.rollout.protocol import ProtocolConfig, cut_points, rollout_question, trace_seed
from tests.rollout.fakes import FakeBackend

pytest.importorskip("math_verify")


@pytest.mark.parametrize(
    ("tokens", "interval", "cap", "expected"),
    [
        (0, 500, 80, []),
        (499, 500, 80, []),
        (500, 500, 80, [500]),
        (1_499, 500, 80, [500, 1000]),
        (40_000, 500, 80, list(range(500, 40_001, 500))),
        (55_000, 500, 80, list(range(500, 40_001, 500))),  # the release's cap: 80 probes
        (10, 3, 2, [3, 6]),
    ],
)
def test_cuts_fall_on_every_full_interval_up_to_the_cap(
    tokens: int, interval: int, cap: int, expected: list[int]
) -> None:
    assert list(cut_points(tokens, interval, cap)) == expected


def test_trace_seeds_depend_on_seed_question_and_branch_only() -> None:
    seeds = {trace_seed(s, q, b) for s in range(3) for q in range(3) for b in range(3)}
    assert len(seeds) == 27
    assert trace_seed(1, 2, 3) == trace_seed(1, 2, 3)
    assert all(0 <= s < 2**31 for s in seeds)


CONFIG = ProtocolConfig(samples=6, interval=10, max_tokens=80, max_probes=5, probe_tokens=8, seed=3)
ITEM = BenchmarkItem(question="What is 1/2?", answer="\\frac{1}{2}")


def test_each_branch_gets_one_probe_per_full_interval_capped() -> None:
    result = rollout_question(FakeBackend(), ITEM, 0, CONFIG)
    assert len(result.stored.branches) == 6
    for trace, branch in zip(result.traces, result.stored.branches, strict=True):
        assert branch.branch_tokens == len(trace.token_ids)
        assert len(branch.probe_answers) == min(len(trace.token_ids) // 10, 5)


def test_probe_prompts_are_prompt_plus_trace_prefix_plus_answer_forcing_suffix() -> None:
    backend = FakeBackend()
    result = rollout_question(backend, ITEM, 0, CONFIG)
    prompt = "<user>What is 1/2?\n" + CONFIG.instruction + "</user><think>"
    probes = [r for r in backend.requests if r.temperature == 0]
    assert probes and all(r.max_tokens == 8 for r in probes)
    first_trace = result.traces[0].text
    texts = ["".join(map(chr, r.prompt_ids)) for r in probes[: len(result.stored.branches[0].probe_answers)]]
    for k, text in enumerate(texts, start=1):
        prefix = prompt + first_trace[: 10 * k]
        assert text.startswith(prefix)
        suffix = text[len(prefix) :]
        if "</think>" in first_trace[: 10 * k]:
            assert suffix == "\n\n" + CONFIG.answer_prefix  # thinking already closed: only open the box
        else:
            assert suffix == "\n</think>\n\n" + CONFIG.answer_prefix


def test_answers_are_graded_into_canonical_strings() -> None:
    result = rollout_question(FakeBackend(), ITEM, 0, CONFIG)
    answers = {a for b in result.stored.branches for a in b.probe_answers}
    finals = {b.final_answer for b in result.stored.branches}
    # 1/2, 0.5 and \frac{1}{2} all become the gold string; an unclosed box is ERR.
    assert answers == {"\\frac{1}{2}", "7", "ERR"}
    assert "\\frac{1}{2}" in finals and finals <= {"\\frac{1}{2}", "7", "ERR"}
    for trace, branch in zip(result.traces, result.stored.branches, strict=True):
        assert (branch.final_answer == "ERR") == (not trace.text.endswith("}"))  # cut off inside its box


def test_same_seed_same_rollout_and_another_seed_differs() -> None:
    a = rollout_question(FakeBackend(), ITEM, 4, CONFIG)
    b = rollout_question(FakeBackend(), ITEM, 4, CONFIG)
    c = rollout_question(FakeBackend(), ITEM, 4, ProtocolConfig(**{**CONFIG.as_dict(), "seed": 4}))
    assert a.traces == b.traces and a.stored == b.stored
    assert a.traces != c.traces


def test_traces_are_sampled_with_the_configured_settings() -> None:
    backend = FakeBackend()
    rollout_question(backend, ITEM, 2, CONFIG)
    traces = [r for r in backend.requests if r.temperature > 0]
    assert len(traces) == 6
    assert {(r.temperature, r.max_tokens) for r in traces} == {(0.7, 80)}
    assert [r.seed for r in traces] == [trace_seed(3, 2, b) for b in range(6)]


@pytest.mark.parametrize("field", ["samples", "interval", "max_tokens", "max_probes", "probe_tokens"])
def test_nonpositive_sizes_are_refused(field: str) -> None:
    zero: dict[str, Any] = {field: 0}  # one of several int fields, named at run time
    with pytest.raises(RolloutError, match=field):
        ProtocolConfig(**zero)
