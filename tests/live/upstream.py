"""A small OpenAI-compatible completions server over the test engine, and a way to make it die.

It speaks the part of vLLM's server the openai backend uses (token-id
prompts, ``return_token_ids``, cached-token usage, ``max_model_len`` in the
model list) and generates with the real engine. :meth:`Upstream.die_on_request`
makes a later request kill the server mid-request: the connection closes with
no response and the port stops accepting, as when a server process dies.
Starting it again on the same port brings it back.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from autotts.live.generators import Generator
from autotts.rollout.backends.base import Request


class Upstream:
    def __init__(self, generator: Generator, model: str, port: int = 0) -> None:
        self.generator = generator
        self.model = model
        self.requests = 0
        self._die_at: int | None = None
        self._dying: threading.Thread | None = None
        self._server = self._start(port)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def die_on_request(self, n: int) -> None:
        """The ``n``-th completion request from now kills the server while it is being served."""
        self._die_at = self.requests + n

    def restart(self) -> None:
        if self._dying is not None:
            self._dying.join()
        self._server = self._start(self.port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _start(self, port: int) -> ThreadingHTTPServer:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                card = {"id": upstream.model, "object": "model", "max_model_len": upstream.generator.context_limit}
                self._send({"object": "list", "data": [card]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                upstream.requests += 1
                if upstream._die_at is not None and upstream.requests >= upstream._die_at:
                    upstream._die_at = None
                    self.connection.shutdown(socket.SHUT_RDWR)  # mid-request: no status line, no body
                    upstream._dying = threading.Thread(target=upstream.stop, daemon=True)
                    upstream._dying.start()
                    return
                request = Request(tuple(body["prompt"]), body["max_tokens"], body["temperature"], body["seed"])
                out = upstream.generator.complete(request)
                choice = {
                    "index": 0,
                    "text": out.text,
                    "token_ids": list(out.token_ids),
                    "finish_reason": out.finish_reason,
                    "logprobs": None,
                }
                usage = {
                    "prompt_tokens": len(request.prompt_ids),
                    "completion_tokens": len(out.token_ids),
                    "total_tokens": len(request.prompt_ids) + len(out.token_ids),
                    "prompt_tokens_details": {"cached_tokens": out.cached_prompt_tokens},
                }
                self._send(
                    {
                        "id": "cmpl",
                        "object": "text_completion",
                        "created": 0,
                        "model": upstream.model,
                        "choices": [choice],
                        "usage": usage,
                    }
                )

            def _send(self, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests read the server's effects, not its log."""

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
