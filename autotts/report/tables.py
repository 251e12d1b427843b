"""The report's tables, rebuilt from evaluation tables: Table 1 of the paper, its summary over models,
and the cells where our Table 1 and the paper's disagree.

Table 1's rows are (model, method); each benchmark contributes an accuracy and a
kilo-token column, and its header says whether it was searched or held out. The
best cell of each figure column is marked: the highest accuracy, the fewest tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from autotts.paper import Figures, Mismatch, PaperNote, compare_with_paper, differs

__all__ = ["Table", "markdown_table", "markdown_text", "paper_mismatches", "summary_table", "table1"]


@dataclass(frozen=True, slots=True)
class Table:
    """A renderer-agnostic table: a header, rows of cells already formatted as text, and marked cells.

    ``best`` and ``flagged`` hold (row, column) positions: the best figure of its
    column (within its group), and a figure that disagrees with the paper's.
    The first ``label_columns`` columns name the row; the rest are figures.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    best: frozenset[tuple[int, int]] = frozenset()
    flagged: frozenset[tuple[int, int]] = frozenset()
    label_columns: int = 2


def table1(
    evaluations: pl.DataFrame, splits: Mapping[str, str], labels: Sequence[str], *,
    published: Figures | None = None,
) -> Table:
    """One row per (model, label) for the labels given, in that order; one column pair per benchmark.

    ``splits`` maps benchmark -> ``search``/``heldout`` (columns follow its order);
    ``published`` maps (model, benchmark, label) -> the paper's (accuracy, kilo-tokens),
    shown after ours where the paper reports the same method, and flagged where they
    disagree. The best figure of each column is marked within each model's rows.
    """
    figures = _figures(evaluations)
    paper = published or {}
    rows: list[tuple[str, ...]] = []
    values: list[list[float | None]] = []
    groups: list[str] = []
    flagged: set[tuple[int, int]] = set()
    for model in sorted(evaluations.get_column("model").unique().to_list()):
        for label in labels:
            cells, numbers = [model, label], []
            for b in splits:
                got, ref = figures.get((model, b, label)), paper.get((model, b, label))
                for i, digits in ((0, 2), (1, 1)):
                    column = len(cells)
                    ours = got[i] if got else None
                    cells.append(_cell(ours, ref[i] if ref else None, digits))
                    numbers.append(ours)
                    if ours is not None and ref is not None and differs(ours, ref[i], i):
                        flagged.add((len(rows), column))
            if any(n is not None for n in numbers):
                rows.append(tuple(cells))
                values.append(numbers)
                groups.append(model)
    return Table(_header("Model", "Method", splits), tuple(rows), _best_cells(values, groups, offset=2),
                 frozenset(flagged))


def summary_table(evaluations: pl.DataFrame, splits: Mapping[str, str], labels: Sequence[str]) -> Table:
    """Table 1's methods averaged over models: one row per label, the best of each column marked."""
    means = (
        evaluations.filter(pl.col("label").is_in(list(labels)))
        .group_by("label", "benchmark")
        .agg(pl.col("accuracy").mean(), (pl.col("avg_tokens").mean() / 1000).alias("tokens_k"))
    )
    figures = {(r["label"], r["benchmark"]): (r["accuracy"], r["tokens_k"]) for r in means.iter_rows(named=True)}
    rows: list[tuple[str, ...]] = []
    values: list[list[float | None]] = []
    for label in labels:
        numbers = [f[i] if f else None for b in splits for f in [figures.get((label, b))] for i in (0, 1)]
        if any(n is not None for n in numbers):
            rows.append((label, *(_cell(n, None, 1 if i % 2 else 2) for i, n in enumerate(numbers))))
            values.append(numbers)
    return Table(_header("Method", None, splits), tuple(rows), _best_cells(values, [""] * len(rows), offset=1),
                 label_columns=1)


def paper_mismatches(
    evaluations: pl.DataFrame, published: Figures, *, public: Figures | None = None,
    notes: Mapping[tuple[str, str, str], PaperNote] | None = None,
) -> list[Mismatch]:
    """Every (model, benchmark, method, figure) of ``evaluations`` that differs from the paper's beyond its
    rounding, with the public evaluator's figure and our note where given."""
    return compare_with_paper(_figures(evaluations), published, public=public, notes=notes)


_MARKUP = re.compile(r"[\\`*_\[\]<>|~]")  # what markdown reads as markup inside a line


def markdown_text(text: str) -> str:
    """``text`` as markdown that shows it as written: what markdown would read as markup is escaped.

    Report text quotes what proposers wrote (an LLM's idea, a candidate's docstring). Raw, their ``<``
    would be HTML (an image fetched from anywhere when the page is opened), ``[`` a link, ``*`` and ``_``
    emphasis, ``|`` a new table cell with a forged figure. Backslash escapes render as the characters.
    """
    return _MARKUP.sub(r"\\\g<0>", " ".join(text.splitlines()))


def markdown_table(table: Table) -> str:
    """GitHub-flavoured markdown; figures right-aligned, the best in bold, paper mismatches with a ⚠."""

    def text(r: int, c: int, cell: str) -> str:
        shown = f"**{markdown_text(cell)}**" if (r, c) in table.best else markdown_text(cell)
        return f"{shown} ⚠" if (r, c) in table.flagged else shown

    align = ["---" if i < table.label_columns else "---:" for i in range(len(table.header))]
    lines = ["| " + " | ".join(map(markdown_text, table.header)) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(text(r, c, cell) for c, cell in enumerate(row)) + " |"
              for r, row in enumerate(table.rows)]
    return "\n".join(lines) + "\n"


def _figures(evaluations: pl.DataFrame) -> dict[tuple[str, str, str], tuple[float, float]]:
    return {
        (r["model"], r["benchmark"], r["label"]): (r["accuracy"], r["avg_tokens"] / 1000)
        for r in evaluations.iter_rows(named=True)
    }


def _header(first: str, second: str | None, splits: Mapping[str, str]) -> tuple[str, ...]:
    header = [first] if second is None else [first, second]
    for b, split in splits.items():
        header += [f"{b} ({split}) acc %", f"{b} ({split}) tokens k"]
    return tuple(header)


def _best_cells(values: Sequence[Sequence[float | None]], groups: Sequence[str], *, offset: int
                ) -> frozenset[tuple[int, int]]:
    """Within each group of rows, the cells holding the best figure of their column (ties all marked):
    even columns are accuracies (highest wins), odd ones tokens (fewest wins)."""
    best: set[tuple[int, int]] = set()
    for group in dict.fromkeys(groups):
        members = [r for r, g in enumerate(groups) if g == group]
        if len(members) < 2:
            continue
        for c in range(len(values[members[0]])):
            present = [(values[r][c], r) for r in members if values[r][c] is not None]
            pick: Callable[..., float] = max if c % 2 == 0 else min
            top = pick(v for v, _ in present) if present else None
            best.update((r, c + offset) for v, r in present if v == top)
    return frozenset(best)


def _cell(ours: float | None, paper: float | None, digits: int) -> str:
    text = "-" if ours is None else f"{ours:.{digits}f}"
    return f"{text} ({paper:.{digits}f})" if paper is not None else text
