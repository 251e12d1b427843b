"""The OpenAI proposer's real SDK path against ``vllm serve`` running the tiny random model on 127.0.0.1.

The model writes garbage, so every reply is rejected, each with its reason,
and the loop still finishes its rounds. Runs where vLLM is installed
(``scripts/ci_vllm.sh``); skipped elsewhere. The server takes ~30-60 s to
start on an idle 2-core machine (minutes on a loaded one).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

pytest.importorskip("vllm")
pytest.importorskip("openai")

from autotts.discover import prompts
from autotts.discover.config import DiscoverConfig
from autotts.discover.evaluation import CandidateEvaluator, EvalSettings
from autotts.discover.history import History
from autotts.discover.loop import run_rounds
from autotts.discover.progress import Progress
from autotts.discover.proposers import build_proposer
from autotts.discover.selection import build_objective
from autotts.evaluate.api import load_matrices
from autotts.rollout.tiny_model import TinyModelSpec, build_tiny_model
from autotts.store.ingest import ingest_files
from tests.builders import branch, question, write_release

START_TIMEOUT = 900.0


@pytest.fixture(scope="module")
def vllm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``vllm serve`` on a free port of 127.0.0.1 (long context: the prompt holds the brief and a whole file)."""
    folder = tmp_path_factory.mktemp("vllm-serve")
    model = build_tiny_model(folder / "tiny-llama", TinyModelSpec(max_positions=65536))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = folder / "server.log"
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"}
    command = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model), "--host",
               "127.0.0.1", "--port", str(port), "--served-model-name", "tiny", "--max-model-len", "65536",
               "--enforce-eager", "--dtype", "float32", "--seed", "0"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(f"{url}/models"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"vllm serve did not come up:\n{log.read_text()[-3000:]}")
            time.sleep(2)
        yield url
    finally:
        with suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            server.wait(30)
        with suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def test_garbage_replies_are_rejected_with_their_reasons_and_the_loop_finishes(
    vllm_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "EMPTY")
    rows = [branch(["1", "2"], 1200, "2"), branch(["2"], 700, "2"), branch(["3", "3", "3"], 1600, "3")]
    store = tmp_path / "toy.duckdb"
    ingest_files([write_release(tmp_path / "toy-a" / "toy.json", [question(rows, gold="2")] * 2)], store)
    matrices = load_matrices(store)
    objective = build_objective("frontier")
    brief = prompts.brief(objective, prompts.references(matrices, (0.0, 1.0), 1))
    proposer = build_proposer("openai", {"model": "tiny", "base_url": vllm_server, "max_tokens": 48,
                                         "temperature": 1.0})
    settings = DiscoverConfig(rounds=2, candidates=2, search_seeds=1, betas=(0.0, 1.0))
    history = History.open(tmp_path / "run", "vllm-run", None)
    evaluator = CandidateEvaluator(matrices, EvalSettings(settings.betas))

    stopped = run_rounds(settings, brief, proposer, evaluator, objective, history, Progress(False))

    assert stopped is None  # every round ran
    results = [json.loads(p.read_text()) for p in sorted((tmp_path / "run" / "candidates").glob("*/result.json"))]
    assert [r["candidate_id"] for r in results] == ["r00c00", "r00c01", "r01c00", "r01c01"]
    for r in results:
        assert r["failure"]["reason"] == "no-code"
        assert "no ```python block" in r["failure"]["message"]
        # the model did answer (its garbage may decode to nothing at all), and its token counts were recorded
        assert r["proposal"]["usage"]["tokens_in"] > 1000 and 0 < r["proposal"]["usage"]["tokens_out"] <= 48
        assert "## Objective" in r["proposal"]["prompt"] and "Start from CMC" in r["proposal"]["prompt"]
