"""``autotts solve``: run a controller live on a model and a benchmark; record the run in the store."""

from __future__ import annotations

import argparse
import sys

from autotts.cli.common import add_store_option, parse_params, print_json_lines, render_table
from autotts.cli.rollout_cmd import add_backend_options, add_protocol_options, backend_options, protocol_config
from autotts.discover.sandbox.opt_out import UNSAFE_FLAG
from autotts.live.api import solve_benchmark
from autotts.live.solve import LiveRun


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_live_controller_options(parser)
    parser.add_argument("--model", required=True, help="Hugging Face id or local path of the model")
    parser.add_argument("--benchmark", required=True, help="JSONL file with 'question' and 'answer'")
    add_store_option(parser)
    parser.add_argument("--no-record", action="store_true", help="do not write the run to the store")
    parser.add_argument("--model-name", help="model name in the store (default: last part of --model)")
    parser.add_argument("--benchmark-name", help="benchmark name in the store (default: the file name)")
    parser.add_argument("--limit", type=int, help="solve only the first N questions")
    parser.add_argument("--concurrency", type=int, default=16, help="questions solved at once (default 16)")
    parser.add_argument("--timeout", type=float, help="seconds one question may take (default: no limit)")
    parser.add_argument("--json", action="store_true", help="print the run summary as one JSON object")
    add_protocol_options(parser)
    add_backend_options(parser)
    parser.set_defaults(func=run)


def add_live_controller_options(parser: argparse.ArgumentParser) -> None:
    """The controller to run live and how (shared with ``autotts proxy``)."""
    group = parser.add_argument_group("controller")
    group.add_argument(
        "--controller",
        required=True,
        help="registered name (sc, asc, esc, parallel-probe, cmc) or .py file (a discovered best.py); a file "
        "autotts did not write runs sandboxed, one worker per question",
    )
    group.add_argument("--beta", type=float, help="budget knob of the controller")
    group.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="controller parameter")
    group.add_argument(
        "--read-ahead",
        type=int,
        default=0,
        help="samples each full read starts ahead, generated side by side (default 0: only what the controller "
        "asks for; unused ones count as speculative tokens)",
    )
    group.add_argument(
        UNSAFE_FLAG,
        action="store_true",
        dest="unsafe_no_isolation",
        help="run a controller file that autotts did not write WITHOUT OS isolation (where bubblewrap cannot run)",
    )


def controller_params(args: argparse.Namespace) -> dict[str, object]:
    """``--param`` values, with ``--beta`` among them when given."""
    return {**parse_params(args.param), **({"beta": args.beta} if args.beta is not None else {})}


def run(args: argparse.Namespace) -> int:
    live = solve_benchmark(
        args.controller,
        args.model,
        args.benchmark,
        params=parse_params(args.param),
        beta=args.beta,
        config=protocol_config(args),
        backend=args.backend,
        backend_options=_backend_options(args),
        concurrency=args.concurrency,
        read_ahead=args.read_ahead,
        timeout=args.timeout,
        limit=args.limit,
        model_name=args.model_name,
        benchmark_name=args.benchmark_name,
        store=None if args.no_record else args.store,
        unsafe_no_isolation=args.unsafe_no_isolation,
    )
    if args.json:
        print_json_lines([live.summary()])
    else:
        print(format_run(live))
        if not args.no_record:
            print(f"recorded live run {live.run_id} in {args.store}")
    failed = [q for q in live.questions if q.error is not None]
    for q in failed[:5]:
        print(f"autotts solve: {q.error}", file=sys.stderr)
    if len(failed) > 5:
        print(f"autotts solve: ... and {len(failed) - 5} more failed questions", file=sys.stderr)
    return 1 if failed else 0


def format_run(live: LiveRun) -> str:
    s = live.summary()
    columns = [
        "controller",
        "origin",
        "beta",
        "questions",
        "accuracy",
        "avg_tokens",
        "avg_probe_tokens",
        "avg_speculative_tokens",
        "tokens_per_s",
        "latency_p50_s",
        "latency_p95_s",
        "errors",
    ]
    return render_table(columns, [tuple(s[c] for c in columns)])


def _backend_options(args: argparse.Namespace) -> dict[str, object]:
    """The backend's options; a server's requests get the question's time limit too."""
    options = backend_options(args)
    if args.backend == "openai" and args.timeout is not None:
        options["timeout"] = args.timeout
    return options
