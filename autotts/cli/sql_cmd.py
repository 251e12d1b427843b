"""``autotts sql``: run a read-only SQL query against the store."""

from __future__ import annotations

import argparse
import csv
import sys

import duckdb

from autotts.cli.common import add_store_option, print_json_lines, render_table
from autotts.errors import StoreError
from autotts.store.connection import open_store


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sql", help="query the store with SQL (read-only)")
    parser.add_argument("query", help="one SQL statement, e.g. \"SELECT model, count(*) FROM questions GROUP BY 1\"")
    add_store_option(parser)
    parser.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="table (default), csv, or json (one object per row)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    con = open_store(args.store, read_only=True)
    try:
        cursor = con.execute(args.query)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        raise StoreError(f"query failed: {str(exc).strip().splitlines()[0]}") from exc
    finally:
        con.close()
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    elif args.format == "json":
        print_json_lines([dict(zip(columns, row, strict=True)) for row in rows])
    else:
        print(render_table(columns, rows))
    return 0
