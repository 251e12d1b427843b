"""The template's width and pruning mechanisms do what their docstrings say, on hand-built questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotts.controllers.loading import load_controller_file
from autotts.discover.proposers.template import CMC_GENOME, RACE_GENOME, Genome, render, switch_variant
from autotts.replay.episode import Episode, TraceEvent, live_view
from autotts.replay.matrix import QuestionTraces


def _traces(*branches: tuple[int, str]) -> QuestionTraces:
    """Branches of ``n`` probes answering "x" until their final answer, each ``n`` intervals long."""
    return QuestionTraces(
        probes=tuple(("x",) * n for n, _ in branches),
        finals=tuple(final for _, final in branches),
        tokens=tuple(500 * n for n, _ in branches),
        probe_freq=500,
    )


def _with(genome: Genome, **lines: tuple[float, float]) -> Genome:
    return Genome(genome.mechanisms, tuple((k, float(lines[k][0]), float(lines[k][1])) if k in lines else (k, a, b)
                                           for k, a, b in genome.knobs))


def _run(genome: Genome, traces: QuestionTraces, tmp_path: Path) -> tuple[str | None, list[TraceEvent]]:
    path = tmp_path / "candidate.py"
    path.write_text(render(genome, "test"))
    controller = load_controller_file(path, {"beta": 0.0})
    episode = Episode(traces, tuple(range(len(traces.finals))), record=True)
    with live_view(episode) as view:
        answer = controller.solve(view)
    assert episode.events is not None
    return answer, episode.events


def test_overlong_pruning_drops_branches_far_longer_than_the_shortest_finished(tmp_path: Path) -> None:
    overlong = switch_variant(switch_variant(RACE_GENOME, "dissent", "off"), "overlong", "ratio")
    genome = _with(overlong, n_init=(2, 2), max_branches=(2, 2),
                   length_ratio=(1.5, 1.5), min_complete=(1, 1), conf_thresh=(0.999, 0.999))
    answer, events = _run(genome, _traces((4, "7"), (20, "9")), tmp_path)
    pruned = [e for e in events if e.action == "prune"]
    assert [e.branch for e in pruned] == [1]
    assert pruned[0].depth == 8  # 4 probes and the end make 5 reads; 8 is the first depth beyond 1.5 x 5
    assert answer == "7"


@pytest.mark.parametrize("widen", ["refill", "refill+trend"])
def test_refill_replaces_a_finished_branch_at_once(tmp_path: Path, widen: str) -> None:
    genome = _with(switch_variant(RACE_GENOME, "widen", widen), n_init=(2, 2), max_branches=(3, 3),
                   length_ratio=(4, 4), conf_thresh=(0.999, 0.999))
    _answer, events = _run(genome, _traces((3, "7"), (10, "9"), (10, "9"), (10, "9")), tmp_path)
    first_finish = next(i for i, e in enumerate(events) if e.finished)
    opened_after = [e.branch for e in events[first_finish:] if e.action == "branch"]
    assert opened_after == [2]  # one replacement, and never beyond max_branches


def test_doubt_widening_opens_nothing_before_the_first_answer_is_in(tmp_path: Path) -> None:
    genome = switch_variant(CMC_GENOME, "widen", "doubt")
    _answer, events = _run(genome, _traces((12, "9"), (20, "8"), *[(12, "9")] * 4), tmp_path)
    first_finish = next(i for i, e in enumerate(events) if e.finished)
    assert len([e for e in events[:first_finish] if e.action == "branch"]) == 2  # n_init at beta 0
    assert [e for e in events[first_finish:] if e.action == "branch"]  # one answer in, confidence low: widen


def test_pruning_waits_for_the_leader_confidence_it_is_given(tmp_path: Path) -> None:
    traces = _traces((3, "7"), (30, "9"), (30, "8"))
    eager = _with(CMC_GENOME, n_init=(3, 3), max_branches=(3, 3), min_kept=(1, 1), prune_conf=(0, 0))
    _answer, events = _run(eager, traces, tmp_path)
    assert any(e.action == "prune" for e in events)
    patient = _with(eager, prune_conf=(0.9, 0.9))  # one answer in gives a confidence of 0.75
    _answer, events = _run(patient, traces, tmp_path)
    assert not any(e.action == "prune" for e in events)


def test_refill_and_trend_adds_cmc_width_once_its_trend_threshold_is_positive(tmp_path: Path) -> None:
    traces = _traces(*[(12, "9")] * 12)
    race = _with(RACE_GENOME, n_init=(2, 2), max_branches=(12, 12), widen_burst=(2, 2))
    for trend, opened in ((-0.1, 2), (0.05, 12)):  # flat confidence before any answer: widen iff 0 <= trend
        _answer, events = _run(_with(race, trend_thresh=(trend, trend)), traces, tmp_path)
        first_finish = next(i for i, e in enumerate(events) if e.finished)
        assert len([e for e in events[:first_finish] if e.action == "branch"]) == opened


def test_length_weighted_votes_let_short_traces_outvote_a_long_majority(tmp_path: Path) -> None:
    traces = _traces((4, "7"), (20, "9"), (20, "9"))
    race = _with(RACE_GENOME, n_init=(3, 3), max_branches=(3, 3), conf_thresh=(0.999, 0.999), patience=(40, 40))
    plain, _events = _run(race, traces, tmp_path)
    assert plain == "9"
    short = switch_variant(switch_variant(race, "tally", "completed+short"), "answer", "tally")
    weighted, _events = _run(_with(short, length_power=(2, 2)), traces, tmp_path)
    assert weighted == "7"  # 1 against 2 x (5/21)^2


def test_max_complete_stops_once_that_many_answers_are_in_sure_or_not(tmp_path: Path) -> None:
    traces = _traces((3, "7"), (3, "8"), (3, "9"), (20, "7"))
    race = _with(RACE_GENOME, n_init=(4, 4), max_branches=(4, 4), conf_thresh=(0.999, 0.999), patience=(40, 40))
    for cap, finished in ((3, 3), (64, 4)):
        _answer, events = _run(_with(race, max_complete=(cap, cap)), traces, tmp_path)
        assert sum(e.finished for e in events) == finished
