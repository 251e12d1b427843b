"""The report: a Table-1-style table, scaling curves, the discovery trajectory, one offline HTML page."""

from autotts.report.html import Section, data_uri, html_table, render_page
from autotts.report.plots import save_figure, scaling_curves, trajectory_figure
from autotts.report.tables import Table, markdown_table, table1

__all__ = [
    "Section",
    "Table",
    "data_uri",
    "html_table",
    "markdown_table",
    "render_page",
    "save_figure",
    "scaling_curves",
    "table1",
    "trajectory_figure",
]
