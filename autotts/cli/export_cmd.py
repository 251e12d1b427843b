"""``autotts export``: write a (model, benchmark) of the store back out as replay files."""

from __future__ import annotations

import argparse
from pathlib import Path

from autotts.cli.common import add_store_option
from autotts.store.export import export_autotts_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    formats = parser.add_subparsers(dest="format", required=True, metavar="FORMAT")
    release = formats.add_parser("autotts-json", help="the AutoTTS release format (.json, or .json.gz compressed)")
    add_store_option(release, writes=False)
    release.add_argument("--model", required=True, help="model whose traces to write")
    release.add_argument("--benchmark", required=True, help="benchmark whose traces to write")
    release.add_argument("--out", required=True, type=Path, metavar="FILE", help="file to write (.gz: compressed)")
    release.set_defaults(func=run_release)


def run_release(args: argparse.Namespace) -> int:
    n = export_autotts_json(args.store, args.model, args.benchmark, args.out)
    print(f"exported {n} questions of {args.model}/{args.benchmark} to {args.out}")
    return 0
