"""The transformers backend on the tiny random model: batching changes no token, sampling is seeded and
distributed as softmax, refusals are per request, and a controller runs live on it end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("math_verify")

import torch

from autotts.cli import main
from autotts.errors import RolloutError
from autotts.live import solve_benchmark
from autotts.live.generators import TransformersLoop
from autotts.rollout.backends.base import Request
from autotts.rollout.backends.transformers_backend import TransformersBackend, gumbel_noise
from autotts.rollout.protocol import ProtocolConfig


@pytest.fixture(scope="module")
def backend(tiny_model: Path) -> Iterator[TransformersBackend]:
    # One thread: a tiny model's matrices are far too small to share out, and CI's 2 cores are contended.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    # Four rows at most, so the seven requests below join the batch as others leave it.
    yield TransformersBackend(str(tiny_model), {"max_batch_size": 4, "max_model_len": 256})
    torch.set_num_threads(threads)


def requests(backend: TransformersBackend) -> list[Request]:
    """Prompts of different lengths (left padding differs), greedy and sampled, different budgets."""
    prompt = backend.tokenizer.chat_prompt("What is 12 + 30?")
    return [Request(tuple(prompt[: 6 + 3 * i]), 9 + i, 0.0 if i % 2 else 0.9, 40 + i) for i in range(7)]


def test_batching_changes_no_token(backend: TransformersBackend) -> None:
    reqs = requests(backend)
    batch = backend.new_batch()
    for i, request in enumerate(reqs):
        batch.add(i, request)
    together: dict[object, object] = {}
    while batch:
        together.update(batch.step())
    assert batch.max_rows == 4  # rows were shared, and waiting requests joined as others finished
    alone = [backend.generate([r])[0] for r in reqs]
    for i, (request, single) in enumerate(zip(reqs, alone, strict=True)):
        assert together[i] == single
        assert single.cached_prompt_tokens == 0  # no prefix cache: nothing claimed
        stopped = single.token_ids[-1] in backend.stop_ids
        assert len(single.token_ids) == request.max_tokens or stopped
        assert single.finish_reason == ("stop" if stopped else "length")
        assert single.text == backend.tokenizer.decode(single.token_ids)


def test_sampling_is_seeded(backend: TransformersBackend) -> None:
    prompt = tuple(backend.tokenizer.chat_prompt("What is 1 + 1?"))
    a, b, c = backend.generate([Request(prompt, 12, 1.0, 7), Request(prompt, 12, 1.0, 7), Request(prompt, 12, 1.0, 8)])
    assert a.token_ids == b.token_ids
    assert a.token_ids != c.token_ids


def test_gumbel_max_samples_the_softmax() -> None:
    logits = torch.tensor([2.0, 1.0, 0.0, -1.0])
    rows = 20000
    noise = gumbel_noise(torch.arange(rows) * 7919 + 3, torch.full((rows,), 11), 4)
    counts = torch.bincount((logits + noise).argmax(dim=-1), minlength=4).double() / rows
    assert torch.allclose(counts, torch.softmax(logits.double(), dim=0), atol=0.015)


def test_a_request_too_long_fails_alone(backend: TransformersBackend) -> None:
    loop = TransformersLoop(backend)
    try:
        prompt = tuple(backend.tokenizer.chat_prompt("What is 2 + 2?"))
        refused = loop.submit(Request(prompt, 1000, 0.0, 0))
        served = loop.submit(Request(prompt, 3, 0.0, 0))
        with pytest.raises(RolloutError, match="exceed the model's context of 256 tokens"):
            refused.result()
        assert len(served.result().token_ids) <= 3
    finally:
        loop.close()
    with pytest.raises(Exception, match="stopped"):
        loop.submit(Request(prompt, 3, 0.0, 0))


def test_cmc_runs_live_and_is_recorded(
    backend: TransformersBackend, tiny_model: Path, bench: Path, tmp_path: Path
) -> None:
    loop = TransformersLoop(backend)
    config = ProtocolConfig(samples=4, interval=8, max_tokens=24, max_probes=3, probe_tokens=4, seed=3)
    store = tmp_path / "live.duckdb"
    try:
        run = solve_benchmark(
            "cmc", str(tiny_model), bench, beta=0.5, config=config, backend=loop, concurrency=3, limit=3, store=store
        )
    finally:
        loop.close()
    assert run.backend == "transformers" and run.errors == 0
    assert loop.max_in_flight >= 2  # the questions' requests met in one batch
    for q in run.questions:
        assert q.branches_opened >= 1 and q.probes >= 1
        assert q.sample_tokens <= q.branches_opened * config.max_tokens
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.sql("select backend, count(*) from live_runs group by all").fetchall() == [("transformers", 1)]


def test_solve_command_runs_on_the_transformers_backend(
    backend: TransformersBackend, tiny_model: Path, bench: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a user runs it: ``autotts solve --backend transformers`` (``backend`` only to hold torch to one thread)."""
    base = ["solve", "--controller", "sc", "--param", "k=2", "--model", str(tiny_model), "--benchmark", str(bench)]
    base += ["--backend", "transformers", "--max-model-len", "256", "--store", str(tmp_path / "s.duckdb")]
    protocol = ["--samples", "2", "--interval", "8", "--max-tokens", "12", "--limit", "2", "--json"]
    assert main([*base, *protocol]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["backend"], summary["questions"], summary["errors"]) == ("transformers", 2, 0)
    assert main([*base, *protocol, "--tensor-parallel-size", "2"]) != 0
    assert "backend 'transformers' does not take tensor_parallel_size" in capsys.readouterr().err
