"""The ``autotts`` command line: thin parsers that call the library.

Each command lives in its own module exposing ``add_parser(subparsers)``,
which registers the sub-command and sets ``func`` to a handler taking the
parsed namespace and returning an exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autotts.cli import (
    bench_cmd,
    discover_cmd,
    eval_cmd,
    export_cmd,
    ingest_cmd,
    paper_cmd,
    proxy_cmd,
    rollout_cmd,
    serve_cmd,
    solve_cmd,
    sql_cmd,
)
from autotts.cli.common import choose_store
from autotts.errors import AutoTTSError
from autotts.store.locking import store_access

__all__ = ["COMMANDS", "main"]

COMMANDS = [
    ingest_cmd,
    eval_cmd,
    sql_cmd,
    paper_cmd,
    bench_cmd,
    rollout_cmd,
    solve_cmd,
    proxy_cmd,
    export_cmd,
    discover_cmd,
    serve_cmd,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autotts", description="Discover and evaluate test-time-scaling controllers by replay."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors print one line on stderr and exit 1."""
    args = build_parser().parse_args(argv)
    choose_store(args)
    try:
        with store_access(timeout=getattr(args, "lock_timeout", None), label=f"autotts {args.command}"):
            return int(args.func(args))
    except AutoTTSError as exc:
        return _fail(args.command, str(exc))
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a path the user named cannot be read or written
        return _fail(args.command, f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc))
    except KeyboardInterrupt:
        _fail(args.command, "interrupted")
        return 130


def _fail(command: str, message: str) -> int:
    print(f"autotts {command}: error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
