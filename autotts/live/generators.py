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
- :class:`TransformersLoop` does the same over plain ``transformers`` (token-level
  continuous batching, no prefix cache), for machines where vLLM cannot run.
- :class:`ServerGenerator` sends each request to an OpenAI-compatible server
  on the calling thread; the server batches concurrent requests itself.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from autotts.errors import LiveError, RolloutError
from autotts.rollout.backends.base import ChatTokenizer, Completion, Request

__all__ = ["EngineLoop", "Generator", "ServerGenerator", "TransformersLoop", "load_generator"]


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


class _BatchingLoop:
    """One thread drives an engine step by step; requests from any thread join its batch between steps.

    Subclasses say how to hand a request to their engine, take one step, and abort; the loop owns the
    waiting, the futures and the failure handling, so every in-process engine behaves alike.
    """

    name: str

    def __init__(self, tokenizer: ChatTokenizer, revision: str, context_limit: int | None) -> None:
        self.tokenizer = tokenizer
        self.revision = revision
        self.context_limit = context_limit
        self._inbox: queue.SimpleQueue[tuple[Request, Future[Completion]] | None] = queue.SimpleQueue()
        self._pending: dict[str, Future[Completion]] = {}
        self._failure: BaseException | None = None
        self._stopped = False  # set, under the lock, once the loop will take no more requests
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self.steps = 0  # engine steps taken
        self.max_in_flight = 0  # the most requests the engine held at once: how much batching happened
        self._thread = threading.Thread(target=self._run, name=f"autotts-{self.name}-loop", daemon=True)
        self._thread.start()

    def complete(self, request: Request) -> Completion:
        return self.submit(request).result()

    def submit(self, request: Request) -> Future[Completion]:
        future: Future[Completion] = Future()
        with self._lock:
            if self._stopped:
                raise LiveError(f"the {self.name} engine loop has stopped{_because(self._failure)}")
            self._inbox.put((request, future))
        return future

    def close(self) -> None:
        with self._lock:
            if not self._stopped:
                self._inbox.put(None)
        self._thread.join()

    def _add(self, request_id: str, request: Request) -> None:
        """Hand ``request`` to the engine; raise if it refuses this one request."""
        raise NotImplementedError

    def _step(self) -> Iterable[tuple[str, Completion]]:
        """One engine step; the requests it finished."""
        raise NotImplementedError

    def _abort(self, request_ids: list[str]) -> None:
        """Drop these requests from the engine."""
        raise NotImplementedError

    def _run(self) -> None:
        try:
            while True:
                idle = not self._pending
                if not self._admit(block=idle):
                    break
                if not self._pending:
                    continue
                self.max_in_flight = max(self.max_in_flight, len(self._pending))
                self.steps += 1
                for request_id, completion in self._step():
                    self._pending.pop(request_id).set_result(completion)
        except BaseException as exc:  # the engine itself failed: every waiting question learns why
            self._failure = exc
        finally:
            with self._lock:
                self._stopped = True
            if self._pending:
                with contextlib.suppress(Exception):  # a broken engine may not abort; its requests fail below
                    self._abort(list(self._pending))
            self._fail_all(self._failure or LiveError(f"the {self.name} engine loop was closed"))

    def _admit(self, *, block: bool) -> bool:
        """Move waiting requests into the engine (waiting for one if it is idle); False once closed."""
        while True:
            try:
                item = self._inbox.get(block=block)
            except queue.Empty:
                return True
            if item is None:
                return False
            request, future = item
            request_id = str(next(self._ids))
            try:
                self._add(request_id, request)
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


class EngineLoop(_BatchingLoop):
    """Continuous batching over one in-process vLLM engine, fed by any number of threads."""

    name = "vllm"

    def __init__(self, backend: Any) -> None:
        """``backend``: a :class:`~autotts.rollout.backends.vllm_backend.VllmBackend` (its ``vllm.LLM``)."""
        self.llm = backend.llm
        context_limit = int(self.llm.llm_engine.model_config.max_model_len)
        super().__init__(backend.tokenizer, backend.revision, context_limit)

    def _add(self, request_id: str, request: Request) -> None:
        from vllm.sampling_params import RequestOutputKind

        from autotts.rollout.backends.vllm_backend import sampling_params, vllm_prompts

        params = sampling_params(request)
        params.output_kind = RequestOutputKind.FINAL_ONLY
        # The engine's own entry point (what vllm.LLM uses underneath): outputs come back under the id given here.
        self.llm.llm_engine.add_request(request_id, vllm_prompts([request])[0], params)

    def _step(self) -> Iterable[tuple[str, Completion]]:
        from autotts.rollout.backends.vllm_backend import to_completion

        return [(out.request_id, to_completion(out)) for out in self.llm.llm_engine.step() if out.finished]

    def _abort(self, request_ids: list[str]) -> None:
        self.llm.llm_engine.abort_request(request_ids)


class TransformersLoop(_BatchingLoop):
    """Continuous batching over a :class:`~autotts.rollout.backends.transformers_backend.TransformersBackend`:
    each step decodes one token for every running request and admits the waiting ones."""

    name = "transformers"

    def __init__(self, backend: Any) -> None:
        self._batch = backend.new_batch()
        super().__init__(backend.tokenizer, backend.revision, backend.context_limit)

    def _add(self, request_id: str, request: Request) -> None:
        self._batch.add(request_id, request)

    def _step(self) -> Iterable[tuple[str, Completion]]:
        return self._batch.step()

    def _abort(self, request_ids: list[str]) -> None:
        self._batch.abort()


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
    """The named backend (``vllm``, ``transformers`` or ``openai``, as for rollouts) set up for live questions."""
    from autotts.rollout.backends import BACKENDS, load_backend

    if name not in BACKENDS:
        raise RolloutError(f"unknown backend {name!r} (backends: {', '.join(BACKENDS)})")
    opts = dict(options)
    if name == "openai":
        context_limit = opts.pop("context_limit", None)
        return ServerGenerator(load_backend(name, model, opts), context_limit)
    if name == "transformers":
        return TransformersLoop(load_backend(name, model, opts))
    return EngineLoop(load_backend(name, model, opts))


def _because(exc: BaseException | None) -> str:
    return f": {type(exc).__name__}: {exc}" if exc is not None else ""
