"""The replay engine honours every rule of docs/ENVIRONMENT.md."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotts.controllers.voting import majority
from autotts.evaluate.seeds import branch_order
from autotts.replay.episode import Episode, live_view
from autotts.replay.matrix import QuestionTraces


def traces(*branches: tuple[list[str], int, str], freq: int = 500) -> QuestionTraces:
    return QuestionTraces(
        probes=tuple(tuple(p) for p, _, _ in branches),
        finals=tuple(f for _, _, f in branches),
        tokens=tuple(t for _, t, _ in branches),
        probe_freq=freq,
    )


TWO = traces((["a", "b"], 1300, "b"), (["c"], 200, "c"))


def test_probes_reveal_in_order_then_the_final_answer_with_the_remainder() -> None:
    with live_view(Episode(TWO, (0, 1))) as q:
        assert q.probe_new() == ("a", 0, False)
        assert q.probe_more(0) == ("b", False)
        assert q.get_seq_and_total_tokens() == (0, 1000)
        assert q.probe_more(0) == ("b", True)
        assert q.get_seq_and_total_tokens() == (0, 1300)


def test_finished_branch_charges_zero_and_repeats_its_final_answer() -> None:
    episode = Episode(TWO, (0, 1))
    with live_view(episode) as q:
        q.probe_new()
        for _ in range(2):
            q.probe_more(0)
        total = episode.total
        assert q.probe_more(0) == ("b", True)
        assert q.probe_more(0) == ("b", True)
        assert episode.total == total


def test_branch_tokens_below_probes_times_interval_charges_nothing_at_the_end() -> None:
    episode = Episode(TWO, (1, 0))  # stored branch 1: one probe (500 tokens charged) but only 200 tokens long
    with live_view(episode) as q:
        assert q.probe_new() == ("c", 0, False)
        assert q.probe_more(0) == ("c", True)
    assert episode.total == 500


def test_probe_cap_of_80_then_the_remaining_tokens() -> None:
    long = traces(([str(i) for i in range(80)], 52_345, "final"))
    episode = Episode(long, (0,))
    with live_view(episode) as q:
        q.probe_new()
        answers = [q.probe_more(0) for _ in range(79)]
        assert answers[-1] == ("79", False)
        assert episode.total == 40_000
        assert q.probe_more(0) == ("final", True)
    assert episode.total == 52_345


def test_pool_exhausted_raises_value_error() -> None:
    with live_view(Episode(TWO, (0, 1))) as q:
        q.probe_new()
        q.get_new_branch_final_answer()
        with pytest.raises(ValueError):
            q.probe_new()
        with pytest.raises(ValueError):
            q.get_new_branch_final_answer()
        with pytest.raises(ValueError):
            q.branch()


@pytest.mark.parametrize("index", [1, -1, 5])
def test_probe_more_on_unopened_branch_raises(index: int) -> None:
    with live_view(Episode(TWO, (0, 1))) as q:
        q.probe_new()
        with pytest.raises(ValueError):
            q.probe_more(index)


def test_full_read_charges_the_whole_trace_once() -> None:
    episode = Episode(TWO, (0, 1))
    with live_view(episode) as q:
        assert q.get_new_branch_final_answer() == "b"
        assert episode.total == 1300
        assert q.probe_more(0) == ("b", True)
        assert episode.total == 1300


def test_err_answers_vote_like_any_other() -> None:
    errs = traces((["ERR"], 500, "ERR"), (["ERR"], 500, "ERR"), (["7"], 500, "7"))
    with live_view(Episode(errs, (0, 1, 2))) as q:
        finals = [q.get_new_branch_final_answer() for _ in range(3)]
    assert majority(finals) == "ERR"


def test_branches_come_in_seeded_shuffle_order() -> None:
    finals = [str(i) for i in range(128)]
    many = traces(*[([], 1, f) for f in finals])
    expected = list(finals)
    random.Random(7).shuffle(expected)
    with live_view(Episode(many, branch_order(7, 128))) as q:
        assert [q.get_new_branch_final_answer() for _ in range(128)] == expected


def test_sequential_tokens_are_the_deepest_branch() -> None:
    episode = Episode(TWO, (0, 1))
    with live_view(episode) as q:
        q.probe_new()
        q.probe_new()
        q.probe_more(0)
        q.probe_more(0)
    assert episode.sequential_tokens == 1300
    assert episode.total == 1800


def test_pruned_branch_cannot_continue() -> None:
    with live_view(Episode(TWO, (0, 1))) as q:
        obs = q.branch()
        q.prune(obs.branch)
        with pytest.raises(ValueError):
            q.continue_branch(obs.branch)


def test_view_is_dead_outside_its_episode() -> None:
    with live_view(Episode(TWO, (0, 1))) as q:
        pass
    with pytest.raises(KeyError):
        q.probe_new()


actions = st.lists(st.sampled_from(["new", "read", "prune"]) | st.integers(0, 5), max_size=60)
branch_data = st.lists(
    st.tuples(
        st.lists(st.sampled_from(["1", "2", "ERR"]), max_size=6), st.integers(0, 5000), st.sampled_from(["1", "2"])
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(branch_data, actions, st.integers(0, 1000))
def test_costs_are_bounded_and_deterministic(data: list, script: list, seed: int) -> None:
    """Whatever a controller does: no negative charge, no branch charged beyond
    max(its tokens, its probes x interval), and the same actions cost the same."""
    question = traces(*data)

    def play() -> tuple[list[object], int, list[int]]:
        episode = Episode(question, branch_order(seed, len(data)), record=True)
        seen: list[object] = []
        with live_view(episode) as q:
            for step in script:
                try:
                    if step == "new":
                        seen.append(q.probe_new())
                    elif step == "read":
                        seen.append(q.get_new_branch_final_answer())
                    elif step == "prune":
                        q.prune(q.branches_opened - 1)
                    else:
                        seen.append(q.probe_more(step))
                except ValueError as exc:
                    seen.append(str(exc))
        assert episode.events is not None
        return seen, episode.total, [e.cost for e in episode.events]

    first, second = play(), play()
    assert first == second
    _, total, costs = first
    assert all(c >= 0 for c in costs)
    assert total == sum(costs)
    order = branch_order(seed, len(data))
    bound = sum(max(question.tokens[b], len(question.probes[b]) * 500) for b in order)
    assert total <= bound
