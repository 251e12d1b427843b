"""A real OpenAI-compatible HTTP server on 127.0.0.1 whose replies a test scripts.

It listens on a socket of its own (clients reach it over TCP, from this
process, other processes or Ray workers alike) and answers every POST under
``/v1`` with what ``reply(path, body)`` returns, recording each request.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[str, dict[str, Any]], dict[str, Any]]


@dataclass
class ScriptedServer:
    url: str  # the base URL a client is given, ending in /v1
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@contextmanager
def scripted_server(reply: Reply) -> Iterator[ScriptedServer]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                server.requests.append((self.path, body))
            payload = json.dumps(reply(self.path, body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:  # keep the test output clean
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server = ScriptedServer(f"http://127.0.0.1:{http.server_address[1]}/v1")
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        http.shutdown()
        http.server_close()
        thread.join()
