"""Controllers solving questions live, many at once, on the real vLLM engine; runs recorded in the store."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("vllm")
pytest.importorskip("math_verify")

from autotts.cli import main
from autotts.controllers import registered
from autotts.discover.proposers.template import RACE_GENOME, render
from autotts.live import EngineLoop, run_live, solve_benchmark
from autotts.live.controllers import live_controller
from autotts.rollout.benchmark_file import read_benchmark
from tests import candidates
from tests.live.conftest import CONFIG, Recording, isolation_missing, untrusted
from tests.live.upstream import Upstream

# Each built-in at a budget the 8-sample questions can hold.
BUILT_INS: dict[str, dict[str, float]] = {
    "sc": {"k": 4},
    "asc": {"k": 4},
    "esc": {"k": 4, "window": 2},
    "parallel-probe": {"n": 4, "T": 3, "patience": 2, "warm_up": 1},
    "cmc": {"beta": 0.3},
}


def test_every_built_in_controller_runs_live_end_to_end(recording: Recording, bench: Path) -> None:
    assert set(BUILT_INS) == set(registered())  # a new built-in must join this test
    items = read_benchmark(bench).items
    recording.inner.max_in_flight = 0
    for name, params in BUILT_INS.items():
        results, _ = run_live(recording, live_controller(name, params), items, CONFIG, concurrency=4)
        for solved in results:
            assert solved.error is None, f"{name}: {solved.error}"
            assert isinstance(solved.answer, str)
            assert solved.sample_tokens == sum(e.cost for e in solved.events) > 0
            revealed = [e for e in solved.events if e.action in ("branch", "continue") and not e.finished]
            assert solved.probes == len(revealed)  # one probe per interval that did not end the sample
            assert solved.branches_opened == sum(e.action in ("branch", "read") for e in solved.events)
    # The full-read baselines never probe; the step-wise ones do.
    probes = [r for r, _ in recording.probes()]
    assert probes and all(r.max_tokens == CONFIG.probe_tokens for r in probes)
    assert recording.inner.max_in_flight >= 2  # the questions' requests met in the engine's batch


@pytest.mark.skipif(isolation_missing() is not None, reason=f"no OS isolation: {isolation_missing()}")
def test_a_discovered_file_runs_in_process_and_a_users_file_sandboxed(
    tmp_path: Path, recording: Recording, bench: Path
) -> None:
    items = read_benchmark(bench).items
    files = {
        "best.py": (render(RACE_GENOME, "race"), "trusted"),
        "release.py": (candidates.source("release_api"), "sandboxed"),
    }
    for filename, (source, origin) in files.items():
        path = tmp_path / filename
        path.write_text(source)
        controller = live_controller(str(path), {"beta": 0.2})
        assert controller.origin == origin
        results, _ = run_live(recording, controller, items, CONFIG, concurrency=4)
        assert [r.error for r in results] == [None] * len(items), filename
        assert all(r.answer is not None and r.sample_tokens > 0 for r in results), filename


@pytest.mark.skipif(isolation_missing() is not None, reason=f"no OS isolation: {isolation_missing()}")
def test_a_hostile_file_fails_its_questions_in_the_sandbox_and_writes_nothing(
    tmp_path: Path, recording: Recording, bench: Path
) -> None:
    path = tmp_path / "hostile.py"
    path.write_text(candidates.source("writes_a_file", FOLDER=str(tmp_path)))
    results, _ = run_live(
        recording, live_controller(str(path), {}), read_benchmark(bench).items[:2], CONFIG, concurrency=2
    )
    for solved in results:
        assert solved.error_kind == "controller" and "sandboxed controller failed" in (solved.error or "")
        assert "open" in (solved.error or "")
    assert not (tmp_path / "written-by-hostile").exists()


def test_pruned_samples_stop_generating(tmp_path: Path, recording: Recording, bench: Path) -> None:
    path = tmp_path / "pruner.py"
    path.write_text(candidates.source("pruner"))
    items = read_benchmark(bench).items[:2]
    results, _ = run_live(recording, untrusted(path, {}), items, CONFIG, concurrency=2)
    for solved in results:
        assert solved.error is None and solved.branches_pruned == 1
        after = solved.events[[e.action for e in solved.events].index("prune") + 1 :]
        assert after and all(e.branch != 1 for e in after)  # nothing happened to branch 1 after its prune
        first = [e for e in solved.events if e.branch == 1]
        assert sum(e.cost for e in first) == CONFIG.interval  # it spent its first interval and nothing more
    # No sampled request extends a pruned sample: each has exactly one interval, from the bare prompt.
    by_seed: dict[int, int] = {}
    for request, _ in recording.sampled():
        by_seed[request.seed] = by_seed.get(request.seed, 0) + 1
    from autotts.rollout.protocol import trace_seed

    for q in range(len(items)):
        assert by_seed[trace_seed(CONFIG.seed, q, 1)] == 1


def test_a_failing_question_is_recorded_with_what_it_spent(tmp_path: Path, engine: EngineLoop, bench: Path) -> None:
    bad = candidates.path("raises_after_a_branch")
    store = tmp_path / "s.duckdb"
    unsafe = isolation_missing() is not None
    run = solve_benchmark(
        str(bad),
        "tiny-llama",
        bench,
        backend=engine,
        config=CONFIG,
        concurrency=2,
        store=store,
        limit=2,
        unsafe_no_isolation=unsafe,
    )
    assert run.errors == 2 and all("RuntimeError: boom" in (q.error or "") for q in run.questions)
    assert all(q.sample_tokens == CONFIG.interval for q in run.questions)  # what it spent is still counted
    slow = solve_benchmark(
        "sc",
        "tiny-llama",
        bench,
        params={"k": 4},
        backend=engine,
        config=CONFIG,
        concurrency=2,
        timeout=0.0,
        store=store,
        limit=2,
    )
    assert [q.error_kind for q in slow.questions] == ["timeout", "timeout"]
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute("SELECT origin, errors, accuracy FROM live_runs").fetchall()
        assert set(rows) == {("unsafe-opt-out" if unsafe else "sandboxed", 2, 0.0), ("trusted", 2, 0.0)}


def test_cli_solve_on_a_server_records_a_live_run_beside_replay(
    tmp_path: Path, upstream: Upstream, bench: Path, capsys: pytest.CaptureFixture
) -> None:
    store = tmp_path / "s.duckdb"
    protocol = {
        "samples": CONFIG.samples,
        "interval": CONFIG.interval,
        "max-tokens": CONFIG.max_tokens,
        "max-probes": CONFIG.max_probes,
        "probe-tokens": CONFIG.probe_tokens,
        "seed": CONFIG.seed,
    }
    args = [
        "solve",
        "--controller",
        "cmc",
        "--beta",
        "0.3",
        "--model",
        upstream.model,
        "--benchmark",
        str(bench),
        "--store",
        str(store),
        "--backend",
        "openai",
        "--base-url",
        upstream.url,
        "--concurrency",
        "4",
        "--json",
        *(f"--{k}={v}" for k, v in protocol.items()),
    ]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["model"], summary["benchmark"], summary["controller"]) == ("tiny-llama", "toy", "cmc")
    assert summary["questions"] == 4 and summary["errors"] == 0 and summary["tokens_per_s"] > 0
    with duckdb.connect(str(store), read_only=True) as con:
        ((run_id, sampling, beta, backend),) = con.execute(
            "SELECT run_id, sampling, beta, backend FROM live_runs"
        ).fetchall()
        assert json.loads(sampling) == CONFIG.as_dict() and beta == 0.3 and backend == "openai"
        assert con.execute(
            "SELECT count(*), bool_and(tokens > 0), bool_and(error IS NULL), bool_and(cached_tokens IS NOT NULL) "
            "FROM live_questions WHERE run_id = ?",
            [run_id],
        ).fetchall() == [(4, True, True, True)]
        # The events add up to the questions' tokens, as trace_events do for replay.
        assert con.execute(
            "SELECT count(*) FROM live_questions q JOIN (SELECT question_idx, sum(cost) AS c FROM live_events "
            "GROUP BY ALL) e USING (question_idx) WHERE q.tokens = e.c"
        ).fetchall() == [(4,)]
