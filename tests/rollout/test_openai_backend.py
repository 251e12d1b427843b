"""The OpenAI-compatible backend against a recorded-style fake server (httpx MockTransport, no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from autotts.errors import RolloutError
from autotts.rollout.backends import load_backend
from autotts.rollout.backends.base import ChatTokenizer, Request
from autotts.rollout.benchmark_file import BenchmarkItem
from autotts.rollout.protocol import ProtocolConfig, rollout_question
from tests.rollout.fakes import CharTokenizer


def test_openai_backend_needs_a_server_url() -> None:
    with pytest.raises(RolloutError, match="--base-url"):
        load_backend("openai", "m", {})


def test_unknown_backend_is_named() -> None:
    with pytest.raises(RolloutError, match="unknown backend 'tgi'"):
        load_backend("tgi", "m", {})


class FakeServer:
    """Answers /v1/completions like vLLM's server: traces end in a box, probes answer 42."""

    def __init__(self, with_token_ids: bool) -> None:
        self.with_token_ids = with_token_ids
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: Any) -> Any:
        import httpx

        body = json.loads(request.content)
        self.bodies.append(body)
        text = "think think</think>\\boxed{42}" if body["temperature"] > 0 else "42} done"
        choice: dict[str, Any] = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
        if self.with_token_ids:
            choice["token_ids"] = [ord(c) for c in text]
        usage = {
            "prompt_tokens": len(body["prompt"]),
            "completion_tokens": len(text),
            "total_tokens": len(body["prompt"]) + len(text),
            "prompt_tokens_details": {"cached_tokens": 3},
        }
        payload = {
            "id": "cmpl",
            "object": "text_completion",
            "created": 0,
            "model": body["model"],
            "choices": [choice],
            "usage": usage,
        }
        return httpx.Response(200, json=payload)


def backend_for(server: FakeServer) -> Any:
    openai = pytest.importorskip("openai")
    httpx = pytest.importorskip("httpx")
    from autotts.rollout.backends.openai_backend import OpenAIBackend

    client = openai.OpenAI(
        base_url="http://127.0.0.1:9/v1", api_key="x", http_client=httpx.Client(transport=httpx.MockTransport(server))
    )
    return OpenAIBackend(
        "org/Model",
        "http://127.0.0.1:9/v1",
        tokenizer=ChatTokenizer(CharTokenizer()),
        served_model="served",
        concurrency=4,
        client=client,
    )


@pytest.mark.parametrize("with_token_ids", [True, False])
def test_requests_carry_token_ids_and_per_request_sampling(with_token_ids: bool) -> None:
    server = FakeServer(with_token_ids)
    backend = backend_for(server)
    out = backend.generate([Request((1, 2, 3), 50, 0.7, 99), Request((4, 5), 8, 0.0, 0)])
    first = server.bodies[0] if server.bodies[0]["seed"] == 99 else server.bodies[1]
    assert first["prompt"] == [1, 2, 3] and first["max_tokens"] == 50 and first["temperature"] == 0.7
    assert first["model"] == "served" and first["return_token_ids"] is True
    # Ids from the server when it sends them, the text re-encoded when it does not: the same here.
    assert out[0].token_ids == tuple(ord(c) for c in out[0].text)
    assert out[1].text == "42} done" and out[1].cached_prompt_tokens == 3


def test_a_question_rolls_out_through_the_server() -> None:
    server = FakeServer(with_token_ids=True)
    config = ProtocolConfig(samples=3, interval=5, max_tokens=40, max_probes=2, probe_tokens=6, seed=1)
    result = rollout_question(backend_for(server), BenchmarkItem("q?", "42"), 0, config)
    assert [b.final_answer for b in result.stored.branches] == ["42"] * 3
    assert [b.probe_answers for b in result.stored.branches] == [("42", "42")] * 3
    assert len(server.bodies) == 3 + 6
