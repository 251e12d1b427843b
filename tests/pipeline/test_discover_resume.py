"""The discover stage under Prefect, killed mid-run and run again: it resumes, and no proposer call is paid twice.

The proposer is the real OpenAI-compatible one, talking to a real HTTP server on
127.0.0.1 that answers chat completions with a controller and counts what it
serves. On a chosen call the server kills the process running the flow before
answering, as a crash or an OOM kill would.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from autotts.discover.proposers.template import CMC_GENOME, render
from autotts.store.ingest import ingest_files
from tests.builders import write_release
from tests.pipeline.conftest import REPO, small_params
from tests.store.conftest import toy_questions

REPLY = f"Here is a controller.\n```python\n{render(CMC_GENOME, 'CMC, from the stub')}\n```\n"


class StubLLM(ThreadingHTTPServer):
    """Chat completions on 127.0.0.1: every prompt it answers is logged; call ``kill_at`` kills ``victim`` instead."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.served: list[str] = []  # sha256 of each prompt answered, in order
        self.calls = 0
        self.kill_at: int | None = None
        self.victim: int | None = None
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: StubLLM

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        with self.server.lock:
            self.server.calls += 1
            if self.server.calls == self.server.kill_at and self.server.victim is not None:
                os.kill(self.server.victim, signal.SIGKILL)  # before answering: this reply is never delivered
                return
            self.server.served.append(hashlib.sha256(prompt.encode()).hexdigest())
        reply = json.dumps({
            "id": "stub", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": REPLY}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": 200, "total_tokens": 0},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def stub_llm() -> Iterator[StubLLM]:
    server = StubLLM()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_killed_discover_stage_resumes_without_repeating_a_proposer_call(
    prefect_server: None, stub_llm: StubLLM, tmp_path: Path,
) -> None:
    from prefect.settings import PREFECT_API_URL

    store = tmp_path / "traces.duckdb"
    ingest_files([write_release(tmp_path / "release" / "toy-model" / f"{name}.json", toy_questions(seed))
                  for name, seed in (("toy", 5), ("heldout", 6))], store)
    params = small_params(
        tmp_path, **{"data.models": ["toy-model"], "data.benchmarks": ["toy", "heldout"],
                     "data.search_benchmark": "toy",
                     "discover.proposer": "openai", "discover.rounds": 2, "discover.candidates": 2,
                     "discover.search_seeds": 1, "discover.seeds": 2, "discover.finalists": 1,
                     "discover.betas": [0.5], "discover.jobs": 1, "prefect.retry_delay_seconds": 0,
                     "discover.proposer_params": {"model": "stub", "api_key_env": "STUB_KEY",
                                                  "base_url": f"http://127.0.0.1:{stub_llm.server_port}/v1"}},
    )
    root = tmp_path / "root"
    env = {**os.environ, "PYTHONPATH": str(REPO), "STUB_KEY": "not-a-secret",
           "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    command = [sys.executable, "-m", "tests.pipeline.discover_flow", str(params), str(store), str(root)]

    first = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    stub_llm.victim, stub_llm.kill_at = first.pid, 3  # round 1's first proposal: round 0 is done and cached
    output, _ = first.communicate(timeout=600)
    assert first.returncode == -signal.SIGKILL, output.decode(errors="replace")[-3000:]
    assert len(stub_llm.served) == 2
    work = root / "data/pipeline/.discovery.work"
    assert [p.name for p in work.iterdir()], "the killed run left no work folder to resume from"

    stub_llm.victim = None
    second = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    # Round 0's two replies came from the reply cache; round 1's two were asked once each.
    assert len(stub_llm.served) == 4 and len(set(stub_llm.served)) == 4
    assert stub_llm.calls == 5  # the one call the kill cut off was never answered, so it was asked again
    summary = json.loads((root / "data/pipeline/discovery/summary.json").read_text())
    assert len(summary["rounds"]) == 2 and (root / "data/pipeline/discovery/best.py").exists()
    assert not any(work.iterdir()), "the finished run's work folder stays behind"
