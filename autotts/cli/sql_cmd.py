"""``autotts sql``: read-only SQL over the store, reaching nothing else."""

from __future__ import annotations

import argparse
import csv
import sys

from autotts.cli.common import add_store_option, print_json_lines, render_table
from autotts.store.query import QueryResult, run_sql


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
        help="table (default), csv, or json (one object per row)",
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
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    elif fmt == "json":
        print_json_lines([dict(zip(result.columns, row, strict=True)) for row in result.rows])
    else:
        print(render_table(result.columns, result.rows))
