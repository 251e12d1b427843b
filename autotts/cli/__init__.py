"""The ``autotts`` command line: thin parsers that call the library.

Each command lives in ``autotts/cli/<name>_cmd.py``, exposing
``add_arguments(parser)``, which declares its options and sets ``func`` to a
handler taking the parsed namespace and returning an exit code. Only the
command being run is imported: ``autotts --help`` loads none of them, and
``autotts eval`` never pays for what ``autotts discover`` needs.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager

from autotts.errors import AutoTTSError
from autotts.terminal import shown

__all__ = ["COMMANDS", "build_parser", "main"]

# Each command and its line in ``autotts --help`` (also the top of ``autotts NAME --help``).
COMMANDS: dict[str, str] = {
    "ingest": "load replay traces into the trace store",
    "eval": "evaluate a controller by replay",
    "sql": "query the store with SQL (read-only; no other file, no extension)",
    "paper": "evaluate SC/ASC/ESC/Parallel-Probe@64 and CMC on every store; print Table 1",
    "bench": "measure replay speed on the paper's evaluation matrix",
    "rollout": "generate traces with a model and build a replay store",
    "solve": "run a controller live on a model (vLLM or an OpenAI-compatible server) and record it",
    "proxy": "serve a controller as an OpenAI-compatible chat endpoint in front of a model server",
    "export": "write traces from the store as replay files",
    "discover": "discover a controller (re-run the same command to resume)",
    "serve": "register the pipeline's Prefect deployments and run them",
}


def build_parser(load: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with the options of the commands in ``load`` (default: all); the others are only listed."""
    parser = argparse.ArgumentParser(
        prog="autotts", description="Discover and evaluate test-time-scaling controllers by replay."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, summary in COMMANDS.items():
        command = subparsers.add_parser(name, help=summary, description=summary)
        if load is None or name in load:
            importlib.import_module(f"autotts.cli.{name}_cmd").add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors print one line on stderr and exit 1.

    Without ``argv`` it runs the process (the ``autotts`` script, ``python -m autotts``), which it then sets up
    for one command (:func:`_loading`); a caller that passes ``argv`` keeps its process as it is.
    """
    owns_process = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    with _loading(owns_process=owns_process):
        args = build_parser(load=argv[:1]).parse_args(argv)
        from autotts.cli.common import choose_store  # the store helpers load duckdb: not for --help
        from autotts.store.locking import store_access

    choose_store(args)
    try:
        with store_access(timeout=getattr(args, "lock_timeout", None), label=f"autotts {args.command}"):
            return int(args.func(args))
    except AutoTTSError as exc:
        return _fail(args.command, str(exc))
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a path the user named cannot be read or written
        return _fail(args.command, _os_error(exc))
    except KeyboardInterrupt:
        _fail(args.command, "interrupted")
        return 130


@contextmanager
def _loading(*, owns_process: bool) -> Iterator[None]:
    """Load the command's modules as suits a process that runs one command; a caller's process is left alone.

    Two costs of a short command go (together ~0.1 CPU-s of a one-store ``autotts eval``, measured by
    ``autotts bench``), results unchanged:

    - NumPy's OpenBLAS starts a thread per core when it loads, yet no command does BLAS work that threads
      would speed up (replay is integer array work; the largest product, a bootstrap's weights times a few
      curves, takes milliseconds, with the same result on one thread). One thread, unless the user chose.
    - Imports allocate some 10^5 objects that live until exit, and the cyclic collector walks all of them
      again and again while they load and once more at exit. It is off while they load; then they are frozen
      (:func:`gc.freeze`: never visited by a collection again, still freed at exit), and it is on again.
    """
    if not owns_process:
        yield
        return
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _os_error(exc: OSError) -> str:
    """The path and what is wrong with it; a file where a folder must be made says so (mkdir's "File exists")."""
    if not exc.filename:
        return str(exc)
    if isinstance(exc, FileExistsError) and os.path.isfile(exc.filename):
        return f"{exc.filename}: is a file, where a folder is needed"
    return f"{exc.filename}: {exc.strerror}"


def _fail(command: str, message: str) -> int:
    print(f"autotts {command}: error: {shown(message)}", file=sys.stderr)  # it may quote stored text
    return 1
