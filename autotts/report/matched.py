"""The discovered controller against CMC at matched token budgets, and the line of candidates it came from.

A template-search run measures its winner and CMC at fixed token budgets per
question (100k to 650k) on the fold it picked on and, once the pick is made,
on every benchmark it never read (``summary.json``'s ``budget_tables``). The
report shows those tables as they are, each gain with its 95% paired-bootstrap
interval, since on 30 questions a point or two is often noise; and the
winner's lineage, each candidate with the operator or idea that made it, so a
reader sees what the search changed and where it started.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from autotts.discover.budgets import BudgetRow
from autotts.discover.report import budget_verdict
from autotts.report.html import Section
from autotts.report.tables import Table
from autotts.report.winner import Ancestor, Winner

__all__ = ["lineage_table", "matched_budget_section", "matched_budget_table"]

INTRO = ("The winner and CMC are each swept over beta; at each budget, the best accuracy a user gets from either "
         "(mixing two betas where none costs exactly the budget), averaged over models. The gain is in points, "
         "with its 95% interval from a paired bootstrap over questions; 'significant' means the interval excludes "
         "zero. The pick fold is the search benchmark's questions the search never scored; every other benchmark "
         "was read only after the pick.")


def matched_budget_section(discovery: str | Path, winner: Winner) -> Section:
    """The section: a verdict per benchmark, the budget table, the lineage table."""
    summary = json.loads((Path(discovery) / "summary.json").read_text())
    tables: Mapping[str, Mapping[str, Any]] = summary.get("budget_tables", {})
    paragraphs = [INTRO] if tables else ["This run measured no matched-budget table (it is not a template "
                                         "search, or ran with skip_heldout and no pick fold)."]
    paragraphs += [f"On {name} ({t['questions']} questions): {budget_verdict(t)}." for name, t in tables.items()]
    out = [matched_budget_table(tables)] if tables else []
    return Section("The discovered controller against CMC at matched token budgets, and its lineage",
                   paragraphs=[*paragraphs, "Its lineage, newest first: each candidate, the operator or idea that "
                               "made it, and its parents."], tables=[*out, lineage_table(winner)])


def matched_budget_table(tables: Mapping[str, Mapping[str, Any]]) -> Table:
    """One row per (benchmark, budget): both accuracies, the gain and its interval."""
    rows = []
    for name, table in tables.items():
        for raw in table["rows"]:
            r = BudgetRow(**{k: v for k, v in raw.items() if k != "significant"})
            if math.isnan(r.ours) or math.isnan(r.theirs):
                gain, interval, sure = "no point this cheap", "", ""
            else:
                gain, interval = f"{r.gain:+.2f}", f"{r.low:+.2f} .. {r.high:+.2f}"
                sure = "yes" if r.significant else "no"
            rows.append((name, f"{r.budget / 1000:.0f}k", _percent(r.ours), _percent(r.theirs), gain, interval, sure))
    return Table(("benchmark", "budget", "discovered %", "CMC %", "gain (points)", "95% interval", "significant"),
                 tuple(rows), label_columns=2)


def lineage_table(winner: Winner) -> Table:
    """The winner's line back to a start: candidate, round, how it was made, its parents, its search score."""
    line = winner.lineage
    rows = tuple((a.candidate, str(a.round), a.idea or a.operator or a.origin, _parents(line, i),
                  "" if a.score is None else f"{a.score:.3f}") for i, a in enumerate(line))
    return Table(("candidate", "round", "made by (operator or idea)", "parents", "search score"), rows,
                 label_columns=4)


def _parents(line: Sequence[Ancestor], i: int) -> str:
    """The parent the line follows (the next, older row) and any other (a crossover's second parent)."""
    followed = [line[i + 1].candidate] if i + 1 < len(line) else []
    return ", ".join([*followed, *line[i].other_parents]) or "-"


def _percent(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"
