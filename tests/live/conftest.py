"""One real vLLM engine (CPU, a random-weight model built at test time) shared by every live test.

The tests that use it run where vLLM is installed (``scripts/ci_vllm.sh``
builds such an environment) and skip elsewhere; nothing here imports vLLM
until a fixture needs it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from autotts.live.controllers import LiveController, live_controller
from autotts.live.generators import EngineLoop
from autotts.rollout.backends.base import ChatTokenizer, Completion, Request
from autotts.rollout.protocol import ProtocolConfig
from tests.live.upstream import Upstream

# In-process engine, small KV cache, no graph capture: starts in seconds on a 2-core machine.
os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")

ENGINE_ARGS = {"max_model_len": 512, "enforce_eager": True, "dtype": "float32"}
# Samples of up to 56 tokens probed every 16: three probes fit, and 56 is no multiple of 16, so a
# sample can also end mid-interval at the cap.
CONFIG = ProtocolConfig(samples=8, interval=16, max_tokens=56, max_probes=5, probe_tokens=6, seed=5)


class Recording:
    """A generator that keeps every request it passed on to the real one (a spy, not a stand-in)."""

    def __init__(self, inner: EngineLoop) -> None:
        self.inner = inner
        self.name = inner.name
        self.tokenizer: ChatTokenizer = inner.tokenizer
        self.revision = inner.revision
        self.context_limit = inner.context_limit
        self.calls: list[tuple[Request, Completion]] = []
        self._lock = threading.Lock()

    def complete(self, request: Request) -> Completion:
        return self.submit(request).result()

    def submit(self, request: Request) -> Future[Completion]:
        """The real engine's future, passed on only once the call is kept (so a waiter always sees it)."""
        outer: Future[Completion] = Future()
        self.inner.submit(request).add_done_callback(lambda done: self._keep(request, done, outer))
        return outer

    def _keep(self, request: Request, done: Future[Completion], outer: Future[Completion]) -> None:
        error = done.exception()
        if error is not None:
            outer.set_exception(error)
            return
        with self._lock:
            self.calls.append((request, done.result()))
        outer.set_result(done.result())

    def close(self) -> None:
        """The shared engine outlives every test."""

    def sampled(self) -> list[tuple[Request, Completion]]:
        return [(r, c) for r, c in self.calls if r.temperature > 0]

    def probes(self) -> list[tuple[Request, Completion]]:
        return [(r, c) for r, c in self.calls if r.temperature == 0]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from autotts.rollout.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-llama")


@pytest.fixture(scope="session")
def engine(tiny_model: Path) -> Iterator[EngineLoop]:
    from autotts.rollout.backends.vllm_backend import VllmBackend

    loop = EngineLoop(VllmBackend(str(tiny_model), ENGINE_ARGS))
    yield loop
    loop.close()


@pytest.fixture
def recording(engine: EngineLoop) -> Recording:
    return Recording(engine)


@pytest.fixture(scope="session")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "toy.jsonl"
    lines = [{"question": f"What is {i} + {i}?", "answer": 2 * i, "id": f"q{i}"} for i in range(4)]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.fixture(scope="session")
def upstream(engine: EngineLoop, tiny_model: Path) -> Iterator[Upstream]:
    """An OpenAI-compatible server on 127.0.0.1 generating with the shared engine."""
    server = Upstream(engine, str(tiny_model))
    yield server
    server.stop()


def isolation_missing() -> str | None:
    """Why untrusted files cannot run OS-isolated here (then tests not about isolation run them without it)."""
    from autotts.discover.sandbox import isolation_problem

    return isolation_problem()


def untrusted(path: Path, params: dict[str, object]) -> LiveController:
    """A user's controller file as live runs take it: sandboxed where bubblewrap runs, else opted out."""
    return live_controller(str(path), params, unsafe_no_isolation=isolation_missing() is not None)
