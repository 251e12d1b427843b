"""``autotts proxy``: serve a controller as an OpenAI-compatible chat endpoint over an upstream server."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from autotts.cli.rollout_cmd import add_protocol_options, protocol_config
from autotts.cli.solve_cmd import add_live_controller_options, controller_params
from autotts.live.controllers import live_controller
from autotts.live.generators import ServerGenerator
from autotts.live.proxy import ProxyServer, ProxySettings, read_upstream
from autotts.rollout.backends.openai_backend import OpenAIBackend

_DEFAULTS = {f.name: f.default for f in dataclasses.fields(ProxySettings)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_live_controller_options(parser)
    parser.add_argument("--upstream", required=True, help="the model server, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--port", type=int, default=8100, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--tokenizer", help="tokenizer id or path (default: the model the upstream serves)")
    parser.add_argument("--served-model", help="the upstream's model name (default: its first model)")
    parser.add_argument("--name", help="the model name this proxy answers as (default: autotts-<controller>)")
    limits = parser.add_argument_group("limits")
    limits.add_argument("--concurrency", type=int, default=_DEFAULTS["concurrency"], help="questions answered at once")
    limits.add_argument("--timeout", type=float, default=_DEFAULTS["timeout"], help="seconds one question may take")
    limits.add_argument(
        "--queue-timeout", type=float, default=_DEFAULTS["queue_timeout"], help="seconds a request waits for a slot"
    )
    add_protocol_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params = controller_params(args)
    # a bad name or parameter, or no sandbox for an untrusted file, fails before serving
    controller = live_controller(
        args.controller, params, unsafe_no_isolation=args.unsafe_no_isolation, timeout=args.timeout
    )
    spec = controller.spec
    upstream = read_upstream(args.upstream, timeout=min(args.timeout, 30.0))
    backend = OpenAIBackend(
        upstream.model,
        args.upstream,
        tokenizer=args.tokenizer or upstream.model,
        served_model=args.served_model or upstream.model,
        timeout=args.timeout,
    )
    settings = ProxySettings(
        served_name=args.name or f"autotts-{spec.name.rsplit('/', 1)[-1].removesuffix('.py')}",
        config=protocol_config(args),
        concurrency=args.concurrency,
        timeout=args.timeout,
        queue_timeout=args.queue_timeout,
        read_ahead=args.read_ahead,
    )
    server = ProxyServer(ServerGenerator(backend, upstream.context_limit), controller, settings, port=args.port)
    print(
        f"autotts proxy: {settings.served_name} on {server.url} -> {args.upstream} ({upstream.model}); "
        f"controller {controller.origin}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("autotts proxy: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
