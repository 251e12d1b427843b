"""Proposers: evolve is deterministic; LLM proposers against recorded replies (only HTTP is faked); command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from autotts.discover.proposers import ProposalContext, build_proposer
from autotts.discover.proposers.evolve import scan_genomes
from autotts.discover.proposers.template import CMC_GENOME, KNOBS, RACE_GENOME, parse_genome, render
from autotts.discover.sandbox import check_source

DATA = Path(__file__).parent / "data"


def _context(tmp_path: Path, count: int = 2, round_: int = 0, elites=(), max_cost=None, spent=0.0,
             seen=()) -> ProposalContext:
    return ProposalContext(
        round=round_, count=count, seed=3, brief="BRIEF", feedback="HISTORY", elites=list(elites),
        seen_sources=frozenset([e[1] for e in elites] + list(seen)), workdir=tmp_path / "rounds" / f"r{round_:02d}",
        cache_dir=tmp_path / "llm_cache", spent=lambda: spent, max_cost=max_cost,
    )


def test_evolve_starts_from_cmc_and_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    first = build_proposer("evolve").propose(_context(tmp_path, count=6))
    again = build_proposer("evolve").propose(_context(tmp_path, count=6))
    assert [p.source for p in first] == [p.source for p in again]
    assert [parse_genome(p.source or "") for p in first[:2]] == [CMC_GENOME, RACE_GENOME]
    assert len({p.source for p in first}) == 6


def test_the_scan_of_starting_designs_goes_on_over_rounds_without_repeats(tmp_path: Path) -> None:
    scan = scan_genomes()
    first = build_proposer("evolve").propose(_context(tmp_path, count=4))
    later = build_proposer("evolve").propose(_context(tmp_path, count=4, round_=1, seen=[p.source for p in first]))
    assert [parse_genome(p.source or "") for p in first + later] == scan[:8]
    for genome in scan[2:]:  # each switches exactly one mechanism of one starting design
        assert min(sum(a != b for a, b in zip(genome.mechanisms, start.mechanisms, strict=True))
                   for start in (CMC_GENOME, RACE_GENOME)) == 1


def test_evolve_children_are_valid_monotone_files_with_their_parents(tmp_path: Path) -> None:
    elites = [("r00c03", render(CMC_GENOME, "parent"), 60.0)]
    scanned = [render(g, "scanned") for g in scan_genomes()]
    children = build_proposer("evolve").propose(_context(tmp_path, count=8, round_=1, elites=elites, seen=scanned))
    for child in children:
        assert child.parents and child.parents[0] == "r00c03"
        assert check_source(child.source or "") == []
        genome = parse_genome(child.source or "")
        assert genome is not None and genome != CMC_GENOME
        for name, at0, at1 in genome.knobs:
            spec = KNOBS[name]
            assert spec.low <= min(at0, at1) and max(at0, at1) <= spec.high
            assert spec.direction != "up" or at1 >= at0
            assert spec.direction != "down" or at1 <= at0


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
        import httpx2 as http
    except ImportError:
        import httpx as http

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
