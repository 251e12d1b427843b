"""Options and output helpers shared by the commands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autotts.errors import ConfigError
from autotts.store.connection import DEFAULT_STORE
from autotts.store.locate import PIPELINE_STORE, STORE_ENV, default_store
from autotts.store.locking import DEFAULT_LOCK_TIMEOUT
from autotts.terminal import shown

if TYPE_CHECKING:
    from autotts.evaluate.parallel import OnProgress

__all__ = ["add_store_option", "choose_store", "parse_params", "print_json_lines", "progress_bar", "render_table"]


def add_store_option(parser: argparse.ArgumentParser, *, writes: bool = True) -> None:
    """``--store`` and ``--lock-timeout``; a command that never writes the store passes ``writes=False``."""
    parser.add_argument("--store", type=Path, default=None, help=(
        f"trace store (default ${STORE_ENV}, else {DEFAULT_STORE}" + ("" if writes else
        f", or {PIPELINE_STORE} when only dvc repro has built one") + ")"))
    parser.set_defaults(store_writes=writes)
    parser.add_argument("--lock-timeout", type=seconds, default=DEFAULT_LOCK_TIMEOUT, metavar="SECONDS",
                        help="how long to wait while another process holds the store (default "
                        f"{DEFAULT_LOCK_TIMEOUT:g}); results computed by then are saved beside it")


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected 0 or more seconds, got {text!r}")
    return value


def choose_store(args: argparse.Namespace) -> None:
    """Fill in ``args.store`` when the user named none, and say on stderr which store that is."""
    if getattr(args, "store_writes", None) is None or args.store is not None:
        return
    args.store, why = default_store(writes=args.store_writes and not getattr(args, "no_record", False))
    print(f"autotts {args.command}: store {args.store} ({why})", file=sys.stderr)


def parse_params(pairs: Sequence[str], flag: str = "--param") -> dict[str, Any]:
    """``key=value`` strings (given with ``flag``) to a dict; values that parse as JSON numbers become numbers."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"{flag} {pair!r}: expected key=value")
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        params[key] = parsed if isinstance(parsed, int | float) and not isinstance(parsed, bool) else value
    return params


def render_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table; numbers right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row[i], int | float) or row[i] is None for row in rows) for i in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(list(columns)), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


@contextmanager
def progress_bar(desc: str, *, enabled: bool = True, unit: str = "eval") -> Iterator[OnProgress]:
    """A bar on stderr for a command that takes seconds to minutes; yields what the library reports to.

    Hidden when ``enabled`` is false (``--json``) or stderr is not a terminal, so
    pipes, logs and CI get the results alone; it clears itself when done, so the
    terminal keeps only the results too.
    """
    if not enabled or not sys.stderr.isatty():
        yield lambda _done, _total: None
        return
    from tqdm import tqdm  # imported only when a bar is drawn: it costs start-up time

    bars: list[tqdm] = []  # drawn at the first report, when the total is known

    def show(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, desc=desc, unit=unit, leave=False, file=sys.stderr, dynamic_ncols=True))
        bars[0].total = total
        bars[0].update(done - bars[0].n)

    try:
        yield show
    finally:
        for bar in bars:
            bar.close()


def print_json_lines(records: Sequence[dict[str, Any]]) -> None:
    for record in records:
        print(json.dumps(record, default=str))


def _cell(value: Any) -> str:
    """A value as one line of table text; stored strings come from hostile hands (trace files, candidates, LLMs)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return shown(str(value))
