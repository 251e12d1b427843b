"""The report: Table 1 and its summary, the discovered controller in words and against CMC and SC with
intervals, scaling curves, the discovery trajectory; one offline HTML page and its markdown."""

from autotts.paper import Mismatch
from autotts.report.budget import BudgetRow, Interval, Reference, budget_rows, budget_table, budget_verdicts
from autotts.report.html import Figure, Section, data_uri, html_table, render_markdown, render_page
from autotts.report.plots import save_figure, scaling_curves, trajectory_figure
from autotts.report.tables import Table, markdown_table, paper_mismatches, summary_table, table1
from autotts.report.winner import Winner, mechanism_table, read_winner, winner_paragraphs

__all__ = [
    "BudgetRow",
    "Figure",
    "Interval",
    "Mismatch",
    "Reference",
    "Section",
    "Table",
    "Winner",
    "budget_rows",
    "budget_table",
    "budget_verdicts",
    "data_uri",
    "html_table",
    "markdown_table",
    "mechanism_table",
    "paper_mismatches",
    "read_winner",
    "render_markdown",
    "render_page",
    "save_figure",
    "scaling_curves",
    "summary_table",
    "table1",
    "trajectory_figure",
    "winner_paragraphs",
]
