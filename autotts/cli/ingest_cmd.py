"""``autotts ingest``: load replay traces into the store, or record results saved while it was busy."""

from __future__ import annotations

import argparse
from pathlib import Path

from autotts.bundled import bundled_files
from autotts.cli.common import add_store_option, render_table
from autotts.errors import ConfigError
from autotts.store.batch import pending_dir, record_pending
from autotts.store.ingest import IngestedStore, ingest_files
from autotts.terminal import shown


def add_arguments(parser: argparse.ArgumentParser) -> None:
    formats = parser.add_subparsers(dest="format", required=True, metavar="FORMAT")
    release = formats.add_parser("autotts-json", help="files in the AutoTTS release format (.json or .json.gz)")
    release.add_argument("files", nargs="+", metavar="FILE", help="replay files, one (model, benchmark) each")
    release.add_argument("--model", help="model name (default: the file's folder name)")
    release.add_argument("--benchmark", help="benchmark name (default: the file name without extensions)")
    add_store_option(release)
    release.set_defaults(func=run_release)
    bundled = formats.add_parser("bundled", help="the replay data bundled with autotts (4 Qwen3 models x AIME24/25)")
    add_store_option(bundled)
    bundled.set_defaults(func=run_bundled)
    pending = formats.add_parser(
        "pending", help="record results that were saved beside the store while another process held it"
    )
    pending.add_argument("files", nargs="*", type=Path, metavar="FILE",
                         help="saved batches (default: every one in STORE.pending/, oldest first)")
    add_store_option(pending)
    pending.set_defaults(func=run_pending)


def run_release(args: argparse.Namespace) -> int:
    if (args.model or args.benchmark) and len(args.files) > 1:
        # One name for several files would make them replace each other.
        raise ConfigError("--model/--benchmark name one (model, benchmark): give one file with them")
    _report(ingest_files(args.files, args.store, model=args.model, benchmark=args.benchmark), args)
    return 0


def run_bundled(args: argparse.Namespace) -> int:
    _report(ingest_files(bundled_files(), args.store), args)
    return 0


def run_pending(args: argparse.Namespace) -> int:
    done = record_pending(args.store, args.files)
    for path, what in done:
        print(f"recorded {shown(what)} from {path}")  # the batch file may come from elsewhere
    if not done:
        print(f"nothing waiting in {pending_dir(args.store)}")
    return 0


def _report(results: list[IngestedStore], args: argparse.Namespace) -> None:
    rows = [(r.model, r.benchmark, r.questions, r.branches, r.probes) for r in results]
    print(render_table(["model", "benchmark", "questions", "branches", "probes"], rows))
    print(f"ingested into {args.store}")
