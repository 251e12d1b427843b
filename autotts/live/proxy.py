"""A controller as an OpenAI-compatible chat endpoint, in front of any OpenAI-compatible server.

``POST /v1/chat/completions`` with one user message runs the controller on it
live against the upstream server (every action a token-id completion there)
and answers with the controller's final answer, boxed, and ``usage`` counting
every token the upstream spent: ``completion_tokens`` = sampled (read-ahead
included) + probe tokens, ``prompt_tokens`` = every prompt sent (with the prefix-cache hits in
``prompt_tokens_details.cached_tokens``). An ``autotts`` field adds the
breakdown (branches, probes, latency).

Serving is bounded: at most ``concurrency`` questions run at once, a request
waits at most ``queue_timeout`` seconds for a slot (then 503), and a question
gets ``timeout`` seconds (then 504; its controller stops at its next action).
A dead or failing upstream gives a 502 for the requests it broke, and the
proxy keeps serving. Errors use the OpenAI error shape, so clients raise
their usual exceptions. It listens on 127.0.0.1 only. A controller file
autotts did not write runs in a sandbox worker per request
(:mod:`autotts.live.controllers`).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from autotts.errors import LiveError
from autotts.live.controllers import LiveController
from autotts.live.generators import Generator
from autotts.live.solve import SolvedQuestion, solve_question
from autotts.rollout.protocol import ProtocolConfig

__all__ = ["ProxyServer", "ProxySettings", "UpstreamInfo", "read_upstream"]

_MAX_BODY = 1 << 20
_STATUS_OF_ERROR = {"generation": HTTPStatus.BAD_GATEWAY, "timeout": HTTPStatus.GATEWAY_TIMEOUT}


@dataclass(frozen=True, slots=True)
class ProxySettings:
    """How the proxy serves: its name, the protocol, and its bounds."""

    served_name: str
    config: ProtocolConfig
    concurrency: int = 8
    timeout: float = 600.0
    queue_timeout: float = 30.0
    read_ahead: int = 0

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise LiveError(f"concurrency must be at least 1, got {self.concurrency}")
        if self.read_ahead < 0:
            raise LiveError(f"read_ahead must not be negative, got {self.read_ahead}")
        if self.timeout <= 0 or self.queue_timeout < 0:
            raise LiveError("timeout must be positive and queue_timeout not negative")


@dataclass(frozen=True, slots=True)
class UpstreamInfo:
    model: str
    context_limit: int | None


def read_upstream(base_url: str, *, api_key: str | None = None, timeout: float = 10.0) -> UpstreamInfo:
    """The model an OpenAI-compatible server serves (its first) and its context length, if it says."""
    import openai

    client = openai.OpenAI(base_url=base_url, api_key=api_key or "EMPTY", timeout=timeout, max_retries=0)
    try:
        models = list(client.models.list())
    except openai.OpenAIError as exc:
        raise LiveError(f"upstream {base_url}: cannot list its models ({type(exc).__name__}: {exc})") from exc
    finally:
        client.close()
    if not models:
        raise LiveError(f"upstream {base_url}: serves no model")
    limit = getattr(models[0], "max_model_len", None)
    return UpstreamInfo(models[0].id, int(limit) if isinstance(limit, int) else None)


class ProxyServer(ThreadingHTTPServer):
    """The HTTP server; :meth:`serve_forever` runs it, :meth:`shutdown` stops it."""

    daemon_threads = True

    def __init__(
        self,
        generator: Generator,
        controller: LiveController,
        settings: ProxySettings,
        port: int = 0,
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.generator = generator
        self.controller = controller
        self.settings = settings
        self.slots = threading.BoundedSemaphore(settings.concurrency)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def chat(self, body: Mapping[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        """Answer one chat request: (status, JSON payload)."""
        try:
            question, seed = _read_chat(body)
        except LiveError as exc:
            return HTTPStatus.BAD_REQUEST, _error(str(exc), "invalid_request_error")
        if not self.slots.acquire(timeout=self.settings.queue_timeout):
            busy = f"all {self.settings.concurrency} question slots are busy; try again later"
            return HTTPStatus.SERVICE_UNAVAILABLE, _error(busy, "server_busy")
        try:
            solve = self.controller.new_solver()
            config = replace(self.settings.config, seed=seed)
            solved = solve_question(
                self.generator,
                solve,
                question,
                config,
                timeout=self.settings.timeout,
                read_ahead=self.settings.read_ahead,
            )
        except LiveError as exc:  # the question cannot even start (a prompt too long for the model)
            return HTTPStatus.BAD_REQUEST, _error(str(exc), "invalid_request_error")
        except Exception as exc:  # the controller could not be built for this request
            message = f"building the controller failed: {type(exc).__name__}: {exc}"
            return HTTPStatus.INTERNAL_SERVER_ERROR, _error(message, "controller_error")
        finally:
            self.slots.release()
        if solved.error is not None:
            status = _STATUS_OF_ERROR.get(solved.error_kind or "", HTTPStatus.INTERNAL_SERVER_ERROR)
            return status, _error(solved.error, f"{solved.error_kind}_error")
        return HTTPStatus.OK, self._completion(solved)

    def _completion(self, solved: SolvedQuestion) -> dict[str, Any]:
        content = "" if solved.answer is None else f"\\boxed{{{solved.answer}}}"
        usage: dict[str, Any] = {
            "prompt_tokens": solved.prompt_tokens,
            "completion_tokens": solved.tokens_spent,
            "total_tokens": solved.prompt_tokens + solved.tokens_spent,
        }
        if solved.cached_tokens is not None:
            usage["prompt_tokens_details"] = {"cached_tokens": solved.cached_tokens}
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.settings.served_name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": usage,
            "autotts": {
                "answer": solved.answer,
                "sample_tokens": solved.sample_tokens,
                "probe_tokens": solved.probe_tokens,
                "speculative_tokens": solved.speculative_tokens,
                "probes": solved.probes,
                "branches_opened": solved.branches_opened,
                "branches_pruned": solved.branches_pruned,
                "seconds": round(solved.seconds, 3),
            },
        }


class _Handler(BaseHTTPRequestHandler):
    server: ProxyServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/health", "/v1/health"):
            self._send(HTTPStatus.OK, {"status": "ok"})
        elif self.path.rstrip("/") == "/v1/models":
            model = {"id": self.server.settings.served_name, "object": "model", "owned_by": "autotts"}
            self._send(HTTPStatus.OK, {"object": "list", "data": [model]})
        else:
            self._send(HTTPStatus.NOT_FOUND, _error(f"no route {self.path}", "not_found_error"))

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(HTTPStatus.NOT_FOUND, _error(f"no route {self.path}", "not_found_error"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _error("request body too large", "invalid_request_error"))
            return
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            self._send(HTTPStatus.BAD_REQUEST, _error("the body is not JSON", "invalid_request_error"))
            return
        if not isinstance(body, dict):
            self._send(HTTPStatus.BAD_REQUEST, _error("the body must be a JSON object", "invalid_request_error"))
            return
        self._send(*self.server.chat(body))

    def _send(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _read_chat(body: Mapping[str, Any]) -> tuple[str, int]:
    """The question (the one user message) and the sampling seed of a chat request."""
    if body.get("stream"):
        raise LiveError("streaming is not supported: the answer exists only once the controller has decided")
    if body.get("n", 1) != 1:
        raise LiveError("n must be 1: the controller already samples many branches and returns one answer")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise LiveError("'messages' must be a non-empty list")
    roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
    if roles != ["user"]:
        raise LiveError(
            f"send exactly one user message (got roles {roles}): the controller asks the question with the "
            "prompt its replay data was made with"
        )
    question = _text(messages[0].get("content"))
    if not question.strip():
        raise LiveError("the user message is empty")
    seed = body.get("seed")
    if seed is None:
        return question, secrets.randbits(31)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise LiveError(f"'seed' must be a non-negative integer, got {seed!r}")
    return question, seed


def _text(content: Any) -> str:
    """A message's text: a string, or the text parts of a content list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        if len(parts) == len(content):
            return "".join(str(p) for p in parts)
    raise LiveError("the user message's content must be text")


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": None}}
