"""``autotts proxy`` as a user runs it: a process in front of an upstream server, called with the openai client."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.live.conftest import CONFIG
from tests.live.upstream import Upstream

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

pytest.importorskip("vllm")
pytest.importorskip("math_verify")
openai = pytest.importorskip("openai")

QUESTION: list[ChatCompletionMessageParam] = [{"role": "user", "content": "What is 6 times 7?"}]


@pytest.fixture(scope="module")
def proxy(upstream: Upstream) -> Iterator[str]:
    """The proxy process (CMC at beta 0.3, the tests' protocol) on a free port; yields its /v1 URL."""
    protocol = {
        "samples": CONFIG.samples,
        "interval": CONFIG.interval,
        "max-tokens": CONFIG.max_tokens,
        "max-probes": CONFIG.max_probes,
        "probe-tokens": CONFIG.probe_tokens,
    }
    command = [
        sys.executable,
        "-m",
        "autotts",
        "proxy",
        "--controller",
        "cmc",
        "--beta",
        "0.3",
        "--upstream",
        upstream.url,
        "--port",
        "0",
        "--concurrency",
        "2",
        "--timeout",
        "60",
        *(f"--{k}={v}" for k, v in protocol.items()),
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert " on http://127.0.0.1:" in line, f"the proxy did not start: {line!r} (exit {process.poll()})"
        yield line.split(" on ")[1].split()[0]
    finally:
        process.terminate()
        process.wait(timeout=30)


def client(url: str) -> OpenAI:
    return openai.OpenAI(base_url=url, api_key="unused", max_retries=0, timeout=120)


def autotts_figures(response: ChatCompletion) -> dict[str, Any]:
    """What the proxy adds to an OpenAI response: its answer and what it spent."""
    assert response.model_extra is not None
    figures: dict[str, Any] = response.model_extra["autotts"]
    return figures


def test_the_proxy_answers_a_chat_request_with_the_controllers_answer_and_all_tokens_spent(proxy: str) -> None:
    response = client(proxy).chat.completions.create(model="any", messages=QUESTION, seed=3)
    message = response.choices[0].message
    extra = autotts_figures(response)
    assert message.role == "assistant" and message.content == f"\\boxed{{{extra['answer']}}}"
    assert response.model == "autotts-cmc"
    usage = response.usage
    assert usage is not None
    assert usage.completion_tokens == extra["sample_tokens"] + extra["probe_tokens"] + extra["speculative_tokens"] > 0
    assert usage.prompt_tokens > 0 and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert extra["branches_opened"] >= 2 and extra["probes"] > 0
    again = client(proxy).chat.completions.create(model="any", messages=QUESTION, seed=3)
    assert autotts_figures(again) == {**extra, "seconds": autotts_figures(again)["seconds"]}


def test_bad_requests_get_a_clear_client_error(proxy: str) -> None:
    with pytest.raises(openai.BadRequestError, match="exactly one user message"):
        client(proxy).chat.completions.create(
            model="any", messages=[{"role": "system", "content": "be brief"}, *QUESTION]
        )
    with pytest.raises(openai.BadRequestError, match="streaming"):
        client(proxy).chat.completions.create(model="any", messages=QUESTION, stream=True)


def test_the_proxy_survives_an_upstream_that_dies_mid_request(proxy: str, upstream: Upstream) -> None:
    upstream.die_on_request(3)  # the question's third completion: after its first sample and probe
    with pytest.raises(openai.APIStatusError) as failure:
        client(proxy).chat.completions.create(model="any", messages=QUESTION)
    assert failure.value.status_code == 502 and "generation failed" in str(failure.value)
    with pytest.raises(openai.APIStatusError) as down:  # still down: refused at once, cleanly
        client(proxy).chat.completions.create(model="any", messages=QUESTION)
    assert down.value.status_code == 502
    assert client(proxy).models.list().data[0].id == "autotts-cmc"  # the proxy itself is fine
    upstream.restart()
    response = client(proxy).chat.completions.create(model="any", messages=QUESTION)
    assert response.usage is not None and response.usage.completion_tokens > 0
