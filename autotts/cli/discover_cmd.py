"""``autotts discover``: search for a controller by offline replay; resumable."""

from __future__ import annotations

import argparse
from pathlib import Path

from autotts.cli.common import add_store_option, parse_params
from autotts.discover.api import DEFAULT_BETAS, discover
from autotts.discover.proposers import registered_proposers
from autotts.discover.selection import registered_objectives
from autotts.errors import ConfigError
from autotts.evaluate.seeds import DEFAULT_SEEDS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("discover", help="discover a controller (re-run the same command to resume)")
    add_store_option(parser)
    parser.add_argument("--search-benchmark", required=True, help="the only benchmark the search may read")
    parser.add_argument("--model", action="append", default=[], help="search model (repeatable; default all)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--candidates", type=int, default=8, help="candidates per round")
    parser.add_argument("--proposer", default="evolve", choices=registered_proposers())
    parser.add_argument("--proposer-param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--betas", default=",".join(f"{b:g}" for b in DEFAULT_BETAS), help="comma-separated sweep")
    parser.add_argument("--objective", default="frontier", choices=registered_objectives())
    parser.add_argument("--objective-param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--seed", type=int, default=0, help="proposer seed")
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help="replay seeds for the finalists")
    parser.add_argument("--search-seeds", type=int, default=10, help="replay seeds during the search")
    parser.add_argument("--finalists", type=int, default=4, help="best distinct candidates re-evaluated on --seeds")
    parser.add_argument("--jobs", type=int, default=2, help="sandboxed workers at once")
    parser.add_argument("--max-cost", type=float, default=None, help="stop cleanly once LLM spending reaches this")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--out", type=Path, required=True, help="run directory (best.py, summary.json, history)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        betas = [float(b) for b in args.betas.split(",") if b.strip()]
    except ValueError:
        raise ConfigError(f"--betas {args.betas!r}: expected comma-separated numbers") from None
    result = discover(
        args.store, search_benchmark=args.search_benchmark, models=args.model, rounds=args.rounds,
        candidates=args.candidates, proposer=args.proposer, proposer_params=parse_params(args.proposer_param),
        betas=betas, objective=args.objective, objective_params=parse_params(args.objective_param), seed=args.seed,
        seeds=args.seeds, search_seeds=args.search_seeds, finalists=args.finalists, jobs=args.jobs,
        max_cost=args.max_cost, out=args.out, progress=not args.no_progress,
    )
    print(result.report)
    print(f"best controller: {result.best_path}")
    return 0
