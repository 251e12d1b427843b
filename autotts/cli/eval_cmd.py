"""``autotts eval``: replay a controller on stores and report accuracy and tokens."""

from __future__ import annotations

import argparse

from autotts.cli.common import add_store_option, parse_params, print_json_lines, progress_bar, render_table
from autotts.discover.sandbox.opt_out import UNSAFE_FLAG
from autotts.evaluate.api import EvalRequest, evaluate_stores
from autotts.evaluate.seeds import DEFAULT_SEEDS
from autotts.results import Evaluation


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Evaluate a controller by replay. Built-ins and files rendered by autotts's template run "
        "in-process; any other .py file is untrusted: it runs in an OS-isolated sandbox (bubblewrap), its "
        "action logs are accounted and graded here, and a secret sample of its episodes is re-run to catch "
        "peeking."
    )
    add_store_option(parser)
    parser.add_argument(
        "--controller", required=True, help="registered name (sc, asc, esc, parallel-probe, cmc) or .py file"
    )
    parser.add_argument("--model", action="append", default=[], help="model to evaluate on (repeatable; default all)")
    parser.add_argument("--benchmark", action="append", default=[], help="benchmark (repeatable; default all)")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="controller parameter")
    parser.add_argument("--beta", action="append", type=float, default=[], help="budget knob (repeatable: a sweep)")
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help=f"seeds 0..N-1 (default {DEFAULT_SEEDS})")
    parser.add_argument("--trace-seeds", type=int, default=0, metavar="N",
                        help="also replay seeds 0..N-1 through the Python controller and record every action "
                             "(default 0: a few sample episodes are checked, none recorded)")
    parser.add_argument("--json", action="store_true", help="one JSON object per evaluation")
    parser.add_argument("--no-record", action="store_true", help="do not write the results to the store")
    parser.add_argument(
        UNSAFE_FLAG, action="store_true", dest="unsafe_no_isolation",
        help="run a controller file that autotts did not write WITHOUT OS isolation (no bubblewrap here): it "
        "could read or change anything you can; its results are still accounted and verified",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    request = EvalRequest(
        controller=args.controller, params=parse_params(args.param), betas=tuple(args.beta) or (None,),
        seeds=args.seeds, trace_seeds=args.trace_seeds, unsafe_no_isolation=args.unsafe_no_isolation,
    )
    with progress_bar("eval", enabled=not args.json) as on_progress:
        evaluations = evaluate_stores(args.store, [request], models=args.model, benchmarks=args.benchmark,
                                      record=not args.no_record, on_progress=on_progress)
    if args.json:
        print_json_lines([e.summary() for e in evaluations])
    else:
        print(format_evaluations(evaluations))
    return 0


def format_evaluations(evaluations: list[Evaluation]) -> str:
    columns = ["model", "benchmark", "controller", "beta", "accuracy", "avg_tokens", "avg_seq_tokens", "episodes",
               "origin"]
    rows = [
        (
            e.model,
            e.benchmark,
            e.controller,
            e.beta,
            e.results.accuracy,
            e.results.avg_tokens,
            e.results.avg_sequential_tokens,
            e.results.episodes,
            e.origin,
        )
        for e in evaluations
    ]
    return render_table(columns, rows)
