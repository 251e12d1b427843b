"""Where live questions get their tokens: one completion at a time, from many threads at once.

A live controller is synchronous code that waits for each interval before
choosing its next action, so one question never has more than one request in
flight. Throughput comes from running many questions at once and letting the
engine batch their requests:

- :class:`EngineLoop` owns an in-process ``vllm.LLM`` and drives its engine
  step by step from one thread. Requests from every question join the running
  batch as they arrive and leave it as they finish (vLLM's continuous
  batching); prefix caching means a continued sample and its probes reuse the
  prefix's KV instead of recomputing it.
- :class:`ServerGenerator` sends each request to an OpenAI-compatible server
  on the calling thread; the server batches concurrent requests itself.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from autotts.errors import LiveError, RolloutError
from autotts.rollout.backends.base import ChatTokenizer, Completion, Request

__all__ = ["EngineLoop", "Generator", "ServerGenerator", "load_generator"]


class Generator(Protocol):
    """A model that completes one token-id prompt per call; safe to call from many threads."""

    name: str  # the backend's name, as rollouts record it
    tokenizer: ChatTokenizer
    revision: str
    context_limit: int | None  # prompt + completion tokens the model accepts, when known

    def complete(self, request: Request) -> Completion:
        """Block until ``request`` is generated; raise on any failure."""
        ...

    def submit(self, request: Request) -> Future[Completion]:
        """Start ``request`` and return at once (read-ahead); the future raises on failure."""
        ...

    def close(self) -> None:
        """Stop serving; pending and later calls fail."""
        ...


class EngineLoop:
    """Continuous batching over one in-process vLLM engine, fed by any number of threads."""

    name = "vllm"

    def __init__(self, backend: Any) -> None:
        """``backend``: a :class:`~autotts.rollout.backends.vllm_backend.VllmBackend` (its ``vllm.LLM``)."""
        self.llm = backend.llm
        self.tokenizer: ChatTokenizer = backend.tokenizer
        self.revision: str = backend.revision
        self.context_limit: int | None = int(self.llm.llm_engine.model_config.max_model_len)
        self._inbox: queue.SimpleQueue[tuple[Request, Future[Completion]] | None] = queue.SimpleQueue()
        self._pending: dict[str, Future[Completion]] = {}
        self._failure: BaseException | None = None
        self._stopped = False  # set, under the lock, once the loop will take no more requests
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self.steps = 0  # engine steps taken
        self.max_in_flight = 0  # the most requests the engine held at once: how much batching happened
        self._thread = threading.Thread(target=self._run, name="autotts-engine-loop", daemon=True)
        self._thread.start()

    def complete(self, request: Request) -> Completion:
        return self.submit(request).result()

    def submit(self, request: Request) -> Future[Completion]:
        future: Future[Completion] = Future()
        with self._lock:
            if self._stopped:
                raise LiveError(f"the vLLM engine loop has stopped{_because(self._failure)}")
            self._inbox.put((request, future))
        return future

    def close(self) -> None:
        with self._lock:
            if not self._stopped:
                self._inbox.put(None)
        self._thread.join()

    def _run(self) -> None:
        from autotts.rollout.backends.vllm_backend import to_completion

        engine = self.llm.llm_engine
        try:
            while True:
                idle = not self._pending
                if not self._admit(block=idle):
                    break
                if not self._pending:
                    continue
                self.max_in_flight = max(self.max_in_flight, len(self._pending))
                self.steps += 1
                for output in engine.step():
                    if output.finished:
                        self._pending.pop(output.request_id).set_result(to_completion(output))
        except BaseException as exc:  # the engine itself failed: every waiting question learns why
            self._failure = exc
        finally:
            with self._lock:
                self._stopped = True
            if self._pending:
                with contextlib.suppress(Exception):  # a broken engine may not abort; its requests fail below
                    engine.abort_request(list(self._pending))
            self._fail_all(self._failure or LiveError("the vLLM engine loop was closed"))

    def _admit(self, *, block: bool) -> bool:
        """Move waiting requests into the engine (waiting for one if it is idle); False once closed."""
        from vllm.sampling_params import RequestOutputKind

        from autotts.rollout.backends.vllm_backend import sampling_params, vllm_prompts

        while True:
            try:
                item = self._inbox.get(block=block)
            except queue.Empty:
                return True
            if item is None:
                return False
            request, future = item
            params = sampling_params(request)
            params.output_kind = RequestOutputKind.FINAL_ONLY
            request_id = str(next(self._ids))
            try:
                # The engine's own entry point (what vllm.LLM uses underneath): outputs come back
                # under the id given here.
                self.llm.llm_engine.add_request(request_id, vllm_prompts([request])[0], params)
            except Exception as exc:  # a request the engine refuses (too long, bad settings) fails alone
                future.set_exception(exc)
            else:
                self._pending[request_id] = future
            block = False

    def _fail_all(self, exc: BaseException) -> None:
        for future in self._pending.values():
            future.set_exception(exc)
        self._pending.clear()
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                item[1].set_exception(exc)


class ServerGenerator:
    """An OpenAI-compatible completions server, one request per call, on the caller's thread."""

    name = "openai"

    def __init__(self, backend: Any, context_limit: int | None = None, read_ahead_threads: int = 64) -> None:
        """``backend``: an :class:`~autotts.rollout.backends.openai_backend.OpenAIBackend`."""
        self.backend = backend
        self.tokenizer: ChatTokenizer = backend.tokenizer
        self.revision: str = backend.revision
        self.context_limit = context_limit
        self._pool = ThreadPoolExecutor(max_workers=read_ahead_threads, thread_name_prefix="autotts-read-ahead")

    def complete(self, request: Request) -> Completion:
        return self.backend.complete(request)

    def submit(self, request: Request) -> Future[Completion]:
        return self._pool.submit(self.backend.complete, request)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        self.backend.client.close()


def load_generator(name: str, model: str, options: Mapping[str, Any]) -> Generator:
    """The named backend (``vllm`` or ``openai``, as for rollouts) set up for live questions."""
    from autotts.rollout.backends import BACKENDS, load_backend

    if name not in BACKENDS:
        raise RolloutError(f"unknown backend {name!r} (backends: {', '.join(BACKENDS)})")
    opts = dict(options)
    if name == "openai":
        context_limit = opts.pop("context_limit", None)
        return ServerGenerator(load_backend(name, model, opts), context_limit)
    return EngineLoop(load_backend(name, model, opts))


def _because(exc: BaseException | None) -> str:
    return f": {type(exc).__name__}: {exc}" if exc is not None else ""
