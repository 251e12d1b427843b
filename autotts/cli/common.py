"""Options and output helpers shared by the commands."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autotts.errors import ConfigError
from autotts.store.connection import DEFAULT_STORE

__all__ = ["add_store_option", "parse_params", "print_json_lines", "render_table"]


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, help=f"trace store (default {DEFAULT_STORE})")


def parse_params(pairs: Sequence[str]) -> dict[str, Any]:
    """``key=value`` strings to a dict; values that parse as JSON numbers become numbers."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--param {pair!r}: expected key=value")
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


def print_json_lines(records: Sequence[dict[str, Any]]) -> None:
    for record in records:
        print(json.dumps(record, default=str))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
