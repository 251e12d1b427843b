"""A live question's actions on the real vLLM engine: what each one generates, probes and costs."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("vllm")
pytest.importorskip("math_verify")

from autotts.live.question import LiveQuestion, OutOfTime, interval_seed
from autotts.replay.episode import QuestionView, live_view
from autotts.rollout.backends.base import Request
from autotts.rollout.protocol import ProbeSuffixes, trace_seed
from tests.live.conftest import CONFIG, Recording

QUESTION = "What is 3 + 4?"


def chat_prompt(recording: Recording) -> tuple[int, ...]:
    return tuple(recording.tokenizer.chat_prompt(CONFIG.user_message(QUESTION)))


def test_branch_samples_one_interval_then_probes_it_with_the_rollout_suffix(recording: Recording) -> None:
    question = LiveQuestion(recording, QUESTION, CONFIG, question_idx=2)
    with live_view(question) as view:
        obs = view.branch()
        used = view.tokens_used
    prompt = chat_prompt(recording)
    (sample, trace), (probe, _) = recording.calls
    assert sample == Request(prompt, CONFIG.interval, CONFIG.temperature, trace_seed(CONFIG.seed, 2, 0))
    assert len(trace.token_ids) == CONFIG.interval and not obs.finished
    suffix = ProbeSuffixes.build(recording.tokenizer, CONFIG).still_thinking
    assert probe == Request(prompt + trace.token_ids + suffix, CONFIG.probe_tokens, 0.0, 0)
    assert (obs.branch, used, question.usage.probes) == (0, CONFIG.interval, 1)
    assert isinstance(obs.answer, str) and obs.answer


def test_continue_extends_the_prefix_and_the_prefix_cache_serves_it(recording: Recording) -> None:
    config = replace(CONFIG, interval=64, max_tokens=400, max_probes=5)
    question = LiveQuestion(recording, QUESTION, config)
    with live_view(question) as view:
        view.branch()
        view.continue_branch(0)
        view.continue_branch(0)
    prompt = chat_prompt(recording)
    sampled = recording.sampled()
    assert [len(r.prompt_ids) - len(prompt) for r, _ in sampled] == [0, 64, 128]
    grown = prompt
    for j, (request, completion) in enumerate(sampled):
        assert request.prompt_ids == grown  # each interval continues exactly where the last one stopped
        assert request.seed == interval_seed(trace_seed(config.seed, 0, 0), j)
        grown += completion.token_ids
    assert len(recording.probes()) == 3 and question.usage.probes == 3
    # The third interval's prompt starts with 128+ tokens already computed: whole KV blocks come from the cache.
    assert sampled[2][1].cached_prompt_tokens and sampled[2][1].cached_prompt_tokens >= 128
    assert question.total == 3 * 64 == sum(e.cost for e in question.events)


def test_a_sample_capped_mid_interval_reveals_its_final_answer_without_a_probe(recording: Recording) -> None:
    config = replace(CONFIG, max_tokens=40, max_probes=5)  # intervals of 16, 16, then 8 up to the cap
    question = LiveQuestion(recording, QUESTION, config)
    with live_view(question) as view:
        observations = [view.branch(), view.continue_branch(0), view.continue_branch(0)]
        again = view.continue_branch(0)
    if any(o.finished for o in observations[:2]):
        pytest.skip("the random model ended its sample early")
    assert [o.finished for o in observations] == [False, False, True]
    assert [r.max_tokens for r, _ in recording.sampled()] == [16, 16, 8]
    assert len(recording.probes()) == 2  # the last, partial interval is not probed: replay has no cut there
    assert again == observations[2]  # a finished branch answers its final answer again, for free
    assert [e.cost for e in question.events] == [16, 16, 8, 0]


def test_after_max_probes_the_next_continue_generates_to_the_end(recording: Recording) -> None:
    config = replace(CONFIG, max_probes=2)
    question = LiveQuestion(recording, QUESTION, config)
    with live_view(question) as view:
        view.branch()
        view.continue_branch(0)
        last = view.continue_branch(0)
    assert last.finished
    assert [r.max_tokens for r, _ in recording.sampled()][:2] == [16, 16]
    assert len(recording.probes()) == 2
    assert question.sample_lengths()[0] <= config.max_tokens


def test_read_new_generates_a_whole_sample_in_one_request_without_probes(recording: Recording) -> None:
    question = LiveQuestion(recording, QUESTION, CONFIG)
    with live_view(question) as view:
        obs = view.read_new()
        assert view.get_new_branch_final_answer() == question.events[-1].answer
    assert obs.finished and obs.branch == 0
    assert [r.max_tokens for r, _ in recording.calls] == [CONFIG.max_tokens, CONFIG.max_tokens]
    assert question.usage.probes == 0 and question.total == sum(question.sample_lengths())


def test_a_pruned_sample_is_never_extended(recording: Recording) -> None:
    question = LiveQuestion(recording, QUESTION, CONFIG)
    with live_view(question) as view:
        view.branch()
        view.branch()
        view.prune(0)
        before = len(recording.calls)
        with pytest.raises(ValueError, match="pruned"):
            view.continue_branch(0)
        assert len(recording.calls) == before
        view.continue_branch(1)
    assert question.sample_lengths()[0] == CONFIG.interval
    assert question.pruned == 1


def test_the_release_api_and_the_limits_match_replay(recording: Recording) -> None:
    config = replace(CONFIG, samples=2)
    question = LiveQuestion(recording, QUESTION, config)
    with live_view(question) as view:
        assert isinstance(view, QuestionView) and view.branch_limit == 2
        answer, index, finished = view.probe_new()
        assert (index, finished) == (0, False) and answer == question.events[0].answer
        assert view.probe_more(0) == (question.events[1].answer, question.events[1].finished)
        assert view.get_seq_and_total_tokens() == (0, 2 * config.interval)
        view.probe_new()
        with pytest.raises(ValueError, match="already open"):
            view.probe_new()
        with pytest.raises(ValueError, match="never opened"):
            view.probe_more(7)


def test_a_passed_deadline_stops_the_next_action(recording: Recording) -> None:
    question = LiveQuestion(recording, QUESTION, CONFIG, deadline=0.0)
    with live_view(question) as view, pytest.raises(OutOfTime):
        view.branch()
    assert recording.calls == []


def test_read_ahead_starts_the_next_reads_and_counts_the_unused_ones_apart(recording: Recording) -> None:
    question = LiveQuestion(recording, QUESTION, CONFIG, question_idx=1, read_ahead=3)
    with live_view(question) as view:
        first, second = view.read_new(), view.read_new()
        third = view.branch()  # sample 2 was read ahead whole: that read is waste, the branch samples anew
    question.cancel("done")
    question.settle()
    reads = [(r, c) for r, c in recording.sampled() if r.max_tokens == CONFIG.max_tokens]
    prompt = chat_prompt(recording)
    assert sorted(r.seed for r, _ in reads) == sorted(trace_seed(CONFIG.seed, 1, k) for k in range(5))
    assert all(r.prompt_ids == prompt for r, _ in reads)  # each a fresh sample, exactly the read replay charges
    lengths = {r.seed: len(c.token_ids) for r, c in reads}
    used = [lengths[trace_seed(CONFIG.seed, 1, k)] for k in (0, 1)]
    assert [first.branch, second.branch, third.branch] == [0, 1, 2]
    assert question.usage.sample_tokens == sum(used) + question.sample_lengths()[2]
    assert question.usage.speculative_tokens == sum(lengths[trace_seed(CONFIG.seed, 1, k)] for k in (2, 3, 4))
