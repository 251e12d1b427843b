"""Proposers: LLM proposers' prompts and replies (recorded replies through the SDK with only HTTP faked, and
the whole loop against a real OpenAI-compatible server on 127.0.0.1); command."""

from __future__ import annotations

import importlib
import json
import shutil
import sys
from pathlib import Path

import pytest

from autotts.discover.feedback import Section
from autotts.discover.prompts import References, objective_section
from autotts.discover.proposers import ProposalContext, build_proposer
from autotts.discover.proposers.llm import CMC_START, extract_idea
from autotts.discover.proposers.template import CMC_GENOME, render
from autotts.discover.sandbox import check_source
from autotts.discover.selection import build_objective
from tests import candidates
from tests.openai_server import scripted_server

DATA = Path(__file__).parent / "data"


def _context(tmp_path: Path, count: int = 2, round_: int = 0, elites=(), max_cost=None, spent=0.0,
             seen=(), sections=()) -> ProposalContext:
    return ProposalContext(
        round=round_, count=count, seed=3, brief="BRIEF", feedback="HISTORY", elites=list(elites),
        seen_sources=frozenset([e[1] for e in elites] + list(seen)), workdir=tmp_path / "rounds" / f"r{round_:02d}",
        cache_dir=tmp_path / "llm_cache", spent=lambda: spent, max_cost=max_cost, sections=list(sections),
    )


class _Recorded:
    """An HTTP transport handler replaying one recorded JSON reply and counting requests."""

    def __init__(self, name: str, http) -> None:
        self.body = json.loads((DATA / name).read_text())
        self.http = http
        self.requests: list[dict] = []

    def __call__(self, request):
        self.requests.append(json.loads(request.content))
        return self.http.Response(200, json=self.body)


def _openai(reply: str, **params):
    openai = pytest.importorskip("openai")
    import httpx

    transport = _Recorded(reply, httpx)
    client = openai.OpenAI(api_key="test", base_url="http://llm.invalid/v1",
                           http_client=httpx.Client(transport=httpx.MockTransport(transport)))
    return build_proposer("openai", {"model": "test-model", "client": client, **params}), transport


def test_openai_proposer_reads_code_records_usage_and_cost(tmp_path: Path) -> None:
    proposer, transport = _openai("openai_chat_with_code.json", price_in=2.0, price_out=8.0)
    [proposal] = proposer.propose(_context(tmp_path, count=1))
    assert proposal.source is not None and "def make_controller" in proposal.source
    assert check_source(proposal.source) == []
    assert (proposal.usage.tokens_in, proposal.usage.tokens_out) == (1200, 300)
    assert proposal.usage.cost == pytest.approx((1200 * 2.0 + 300 * 8.0) / 1e6)
    assert not proposal.usage.cached
    assert "BRIEF" in transport.requests[0]["messages"][0]["content"]


def test_rerunning_a_round_replays_cached_replies_without_calling_the_api(tmp_path: Path) -> None:
    proposer, transport = _openai("openai_chat_with_code.json")
    fresh = proposer.propose(_context(tmp_path, count=2))
    replay = proposer.propose(_context(tmp_path, count=2))
    assert len(transport.requests) == 2
    assert [p.response for p in replay] == [p.response for p in fresh]
    assert all(p.usage.cached for p in replay)


def test_a_reply_without_usable_code_becomes_a_proposal_without_source(tmp_path: Path) -> None:
    proposer, _ = _openai("openai_chat_without_code.json")
    [proposal] = proposer.propose(_context(tmp_path, count=1))
    assert proposal.source is None
    assert "no ```python block" in proposal.note
    assert proposal.response.startswith("I would lower")


def test_the_cost_budget_stops_proposing_cleanly(tmp_path: Path) -> None:
    proposer, transport = _openai("openai_chat_with_code.json", price_in=1000.0)
    proposals = proposer.propose(_context(tmp_path, count=5, max_cost=2.0))
    assert len(proposals) == 2  # 1.2 spent after the first, 2.4 after the second: then it stops
    assert len(transport.requests) == 2


def test_anthropic_proposer_reads_code_from_a_recorded_message(tmp_path: Path) -> None:
    anthropic = pytest.importorskip("anthropic")
    try:  # recent SDKs ship their own fork of httpx
        http = importlib.import_module("httpx2")
    except ImportError:
        http = importlib.import_module("httpx")
    transport = _Recorded("anthropic_message_with_code.json", http)
    client = anthropic.Anthropic(api_key="test", base_url="http://llm.invalid",
                                 http_client=http.Client(transport=http.MockTransport(transport)))
    proposer = build_proposer("anthropic", {"model": "test-claude", "client": client})
    [proposal] = proposer.propose(_context(tmp_path, count=1))
    assert proposal.source is not None and "class ReadFew" in proposal.source
    assert (proposal.usage.tokens_in, proposal.usage.tokens_out) == (1300, 310)
    assert transport.requests[0]["model"] == "test-claude"


_EDIT = "from pathlib import Path; p = Path('candidate.py'); p.write_text(p.read_text() + '\\n# tuned\\n')"


def test_command_proposer_reads_back_the_edited_file(tmp_path: Path) -> None:
    command = f"{sys.executable} -c \"{_EDIT}\""
    [proposal] = build_proposer("command", {"command": command}).propose(_context(tmp_path, count=1))
    assert proposal.source is not None and proposal.source.endswith("# tuned\n")
    workspace = tmp_path / "rounds" / "r00" / "workspace-00"
    assert (workspace / "brief.md").read_text() == "BRIEF"
    assert (workspace / "history.md").read_text() == "HISTORY"


@pytest.mark.parametrize(
    ("command", "note"),
    [
        (f"{sys.executable} -c pass", "left candidate.py unchanged"),
        (f"{sys.executable} -c \"import time; time.sleep(30)\"", "ran past 1s"),
        (f"{sys.executable} -c \"raise SystemExit(3)\"", "exited with status 3"),
    ],
)
def test_command_proposer_failures_become_notes(tmp_path: Path, command: str, note: str) -> None:
    [proposal] = build_proposer("command", {"command": command, "timeout": 1}).propose(_context(tmp_path, count=1))
    assert proposal.source is None
    assert note in proposal.note


def test_the_cost_budget_stops_the_loop_cleanly_and_a_rerun_calls_nothing(evaluator, tmp_path: Path) -> None:
    from autotts.discover.config import DiscoverConfig
    from autotts.discover.history import History
    from autotts.discover.loop import run_rounds
    from autotts.discover.progress import Progress
    from autotts.discover.selection import build_objective

    proposer, transport = _openai("openai_chat_with_code.json", price_in=1000.0)  # 1.2 per call
    settings = DiscoverConfig(rounds=3, candidates=3, seed=0, search_seeds=1, max_cost=2.0)

    def run() -> str | None:
        history = History.open(tmp_path / "run", "test-run", None)
        return run_rounds(settings, "BRIEF", proposer, evaluator, build_objective("frontier"), history, Progress(False))

    stopped = run()
    assert stopped is not None and "stopped early in round 0" in stopped
    assert sorted(p.name for p in (tmp_path / "run" / "candidates").iterdir()) == ["r00c00", "r00c01"]
    assert len(transport.requests) == 2
    again = run()
    assert again is not None and "cost budget" in again
    assert len(transport.requests) == 2


def _sent(transport: _Recorded, i: int = 0) -> str:
    return transport.requests[i]["messages"][0]["content"]


def test_round_zero_starts_from_cmc_and_the_reply_s_idea_is_kept(tmp_path: Path) -> None:
    proposer, transport = _openai("openai_chat_with_code.json")
    [proposal] = proposer.propose(_context(tmp_path, count=1))
    prompt = _sent(transport)
    assert "## Start from CMC" in prompt and prompt.count(CMC_START) == 1
    assert prompt.index("# History so far") < prompt.index("## Start from") < prompt.index("## Your answer")
    assert proposal.parents == ()
    assert proposal.idea == "read few whole: read 2 to 8 branches to the end and vote, nothing else."
    assert proposal.note == ""


def test_a_source_the_prompt_starts_from_is_not_shown_again_from_the_history(tmp_path: Path) -> None:
    source = render(CMC_GENOME, "an elite")
    sections = [Section("Source of the best so far (r00c01)", f"```python\n{source}\n```", quotes=source),
                Section("Recent rejections", "- r00c02: exception: boom")]
    proposer, transport = _openai("openai_chat_with_code.json")
    proposer.propose(_context(tmp_path, count=1, elites=[("r00c01", source, 61.0)], sections=sections))
    prompt = _sent(transport)
    assert prompt.count(source) == 1
    assert "## Start from r00c01 (score 61.000)" in prompt and "- r00c02: exception: boom" in prompt
    assert "Source of the best so far" not in prompt


def test_history_sections_over_the_prompt_budget_are_left_out_whole(tmp_path: Path) -> None:
    sections = [Section("Best", "a" * 3000), Section("Ideas tried so far", "b" * 30_000),
                Section("Rejections", "c" * 900)]
    proposer, transport = _openai("openai_chat_with_code.json", prompt_chars=len(CMC_START) + 8000)
    proposer.propose(_context(tmp_path, count=1, sections=sections))
    prompt = _sent(transport)
    assert "## Best\n" + "a" * 3000 in prompt and "## Rejections\n" + "c" * 900 in prompt
    assert "b" * 10 not in prompt and "Ideas tried so far" not in prompt  # too large: out whole, not cut
    assert len(prompt) <= len(CMC_START) + 8000


@pytest.mark.parametrize(("reply", "idea"), [
    ("Idea: settle early: stop once two finished answers agree.\n```python\npass\n```",
     "settle early: stop once two finished answers agree."),
    ("Some thoughts.\n**Idea:** wider start\n\n```python\npass\n```", "wider start"),
    ("```python\n# Idea: inside the code does not count\n```", ""),
    ("No idea line at all.", ""),
])
def test_the_idea_is_read_from_the_reply_s_idea_line(reply: str, idea: str) -> None:
    assert extract_idea(reply) == idea


REFS = References(sc64={"m": [(1.0, 70.0, 900_000.0)]},
                  cmc={"m": [(0.0, 60.0, 60_000.0), (1.0, 68.0, 400_000.0)]}, seeds=10)


def test_the_objective_section_is_rendered_from_the_chosen_objective() -> None:
    frontier = objective_section(build_objective("frontier", {"low": 3e5, "high": 8e5}), REFS)
    assert "between 300,000 and 800,000 average tokens" in frontier
    assert "| SC@64 | - | 70.00 | 900,000 |" in frontier and "| CMC | 1 | 68.00 | 400,000 |" in frontier
    # CMC: 60% from 300k (its 60k point counts as 300k) to 400k, then 68% to 800k, on log tokens; SC@64 is past 800k
    assert "Under this objective CMC scores 65.654 and SC@64 0.000" in frontier
    penalized = objective_section(build_objective("penalized", {"gamma": 0.05}), REFS)
    assert "minus 0.05 points per 1,000 average tokens" in penalized and "300,000" not in penalized
    assert "CMC scores 57.000" in penalized  # the better of 60 - 0.05 * 60 at beta 0 and 68 - 0.05 * 400 at beta 1
    worst = build_objective("worst_gain", {"budgets": (100e3, 650e3)})
    section = objective_section(worst.against(REFS.cmc), REFS)
    assert "budgets of 100k, 650k average tokens" in section and "CMC scores 0.000" in section
    # SC@64's one point costs 900k: nothing at either budget; it trails most at 650k, where CMC has its 68%
    assert "SC@64 -68.000" in section


IDEA_REPLY = "Idea: read few whole: read 2 to 8 branches to the end and vote.\n\n```python\n{source}```\n"


def _chat(path: str, body: dict) -> dict:
    """A chat completion replying with a sound candidate file, as an OpenAI-compatible server does."""
    assert path == "/v1/chat/completions" and body["model"] == "scripted"
    message = {"role": "assistant", "content": IDEA_REPLY.format(source=candidates.source(candidates.HONEST))}
    return {"id": "c", "object": "chat.completion", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1500, "completion_tokens": 300, "total_tokens": 1800}}


def test_the_openai_proposer_end_to_end_against_a_server_on_localhost(
    toy_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autotts.discover import discover

    monkeypatch.setenv("OPENAI_API_KEY", "test")
    out = tmp_path / "run"
    with scripted_server(_chat) as server:
        params = {"model": "scripted", "base_url": server.url, "price_in": 2.0, "price_out": 8.0}

        def run():  # -> DiscoveryResult
            return discover(toy_store, search_benchmark="toy", out=out, rounds=1, candidates=2, proposer="openai",
                            proposer_params=params, search_seeds=1, seeds=2, finalists=1, betas=(0.0, 1.0),
                            progress=False, record=False)

        first = run()
        assert len(server.requests) == 2
        cost = (1500 * 2.0 + 300 * 8.0) / 1e6  # taken from the server's usage
        records = [json.loads((out / "candidates" / f"r00c0{i}" / "result.json").read_text()) for i in range(2)]
        for r in records:
            assert r["failure"] is None and r["score"] is not None  # accepted and scored
            assert r["proposal"]["source"] == candidates.source(candidates.HONEST)
            assert r["proposal"]["idea"] == "read few whole: read 2 to 8 branches to the end and vote."
            assert r["proposal"]["usage"] == {"tokens_in": 1500, "tokens_out": 300, "cost": cost, "cached": False}
        assert first.summary["cost"] == pytest.approx(2 * cost)
        prompt = server.requests[0][1]["messages"][0]["content"]
        assert "## Objective" in prompt and "| CMC | 1 |" in prompt and "Early probes are unreliable" in prompt

        # Killed after the replies came but before the round was saved: the rerun asks the server nothing.
        for done in ("rounds", "candidates", "finalists"):
            shutil.rmtree(out / done)
        again = run()
        assert len(server.requests) == 2
    assert again.best_candidate == first.best_candidate
    replayed = json.loads((out / "candidates" / "r00c00" / "result.json").read_text())
    assert replayed["proposal"]["usage"]["cached"] is True and again.summary["cost"] == 0.0
