"""Table 1 of the paper, rebuilt from evaluation tables: methods x (model, benchmark).

Rows are (model, method); each benchmark contributes an accuracy and a
kilo-token column, and its header says whether it was searched or held out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

__all__ = ["Table", "markdown_table", "table1"]


@dataclass(frozen=True, slots=True)
class Table:
    """A rendered-agnostic table: a header and rows of cells already formatted as text."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def table1(
    evaluations: pl.DataFrame, splits: Mapping[str, str], labels: Sequence[str], *, published: Mapping[
        tuple[str, str, str], tuple[float, float]] | None = None,
) -> Table:
    """One row per (model, label) for the labels given, in that order; one column pair per benchmark.

    ``splits`` maps benchmark -> ``search``/``heldout`` (columns follow its order);
    ``published`` maps (model, benchmark, label) -> the paper's (accuracy, kilo-tokens),
    shown after ours where the paper reports the same method.
    """
    benchmarks = list(splits)
    figures = {
        (r["model"], r["benchmark"], r["label"]): (r["accuracy"], r["avg_tokens"] / 1000)
        for r in evaluations.iter_rows(named=True)
    }
    header = ["Model", "Method"]
    for b in benchmarks:
        header += [f"{b} ({splits[b]}) acc %", f"{b} ({splits[b]}) tokens k"]
    rows = []
    for model in sorted(evaluations.get_column("model").unique().to_list()):
        for label in labels:
            cells = [model, label]
            present = False
            for b in benchmarks:
                got = figures.get((model, b, label))
                paper = (published or {}).get((model, b, label))
                present = present or got is not None
                cells += [_cell(got[0] if got else None, paper[0] if paper else None, 2),
                          _cell(got[1] if got else None, paper[1] if paper else None, 1)]
            if present:
                rows.append(tuple(cells))
    return Table(tuple(header), tuple(rows))


def _cell(ours: float | None, paper: float | None, digits: int) -> str:
    text = "-" if ours is None else f"{ours:.{digits}f}"
    return f"{text} ({paper:.{digits}f})" if paper is not None else text


def markdown_table(table: Table) -> str:
    """GitHub-flavoured markdown; numeric columns right-aligned."""
    align = ["---" if i < 2 else "---:" for i in range(len(table.header))]
    lines = ["| " + " | ".join(table.header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    return "\n".join(lines) + "\n"
