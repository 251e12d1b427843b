"""``autotts sql``: read-only SQL over the store, reaching nothing else."""

from __future__ import annotations

import argparse
import csv
import re
import sys
from decimal import Decimal
from typing import Any

from autotts.cli.common import add_store_option, print_json_lines, render_table
from autotts.store.query import QueryResult, run_sql

# Text a spreadsheet would read as a formula starts with one of these (OWASP's CSV-injection list), or
# their full-width forms, which East Asian input methods type and some spreadsheets accept, or does so
# after spaces (which an import that trims them drops); a number written with its sign is data.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run SQL statements (separated by ';') on the store, read-only: every result is shown, "
        "or the first error and none. ATTACH, COPY ... TO, EXPORT, reading other files and extensions are refused."
    )
    parser.add_argument("query", help="SQL statements, e.g. \"SELECT model, count(*) FROM questions GROUP BY 1\"")
    add_store_option(parser, writes=False)
    parser.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="table (default), csv (text a spreadsheet would run as a formula gets a leading '), "
        "or json (one object per row)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    results = run_sql(args.store, args.query)
    for i, result in enumerate(results):
        if len(results) > 1:  # each result under its statement, so none is silently dropped
            if i:
                print()
            print(f"-- {i + 1}: {result.statement}")
        _show(result, args.format)
    return 0


def _show(result: QueryResult, fmt: str) -> None:
    if not result.columns:
        print("ok")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)  # RFC 4180 line ends: then a stored \r is quoted, not a row break
        writer.writerow([_spreadsheet_cell(c) for c in result.columns])
        writer.writerows([_spreadsheet_cell(v) for v in row] for row in result.rows)
    elif fmt == "json":
        print_json_lines([dict(zip(result.columns, row, strict=True)) for row in result.rows])
    else:
        print(render_table(result.columns, result.rows))


def _spreadsheet_cell(value: Any) -> Any:
    """``value`` as a CSV cell that a spreadsheet reads as data. Stored text comes from trace files,
    candidates and LLMs, and ``=HYPERLINK(...)`` or ``=cmd|...`` would run when the file is opened, so
    such text gets OWASP's escape, a leading ``'``. Numbers, and text that is one (``-3``), are kept."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    starts = text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START)
    if starts and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
