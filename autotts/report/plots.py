"""Accuracy-vs-tokens scaling curves and the discovery trajectory, drawn with matplotlib.

Figures are saved without timestamps and with a fixed SVG id salt, so the same
data gives byte-identical files and DVC sees no spurious change.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never look for a display

import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure

__all__ = ["save_figure", "scaling_curves", "trajectory_figure"]

matplotlib.rcParams["svg.hashsalt"] = "autotts"
_MARKERS = "osD^v<>PX*"


def scaling_curves(evaluations: pl.DataFrame, model: str, benchmark: str, *, split: str) -> Figure:
    """One line per controller family through its budgets or betas, tokens on a log axis."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    # A log axis has no place for zero tokens (a controller that never answered).
    rows = evaluations.filter(
        (pl.col("model") == model) & (pl.col("benchmark") == benchmark) & (pl.col("avg_tokens") > 0)
    )
    for i, family in enumerate(sorted(rows.get_column("family").unique().to_list())):
        line = rows.filter(pl.col("family") == family).sort("avg_tokens")
        ax.plot(line.get_column("avg_tokens").to_list(), line.get_column("accuracy").to_list(),
                marker=_MARKERS[i % len(_MARKERS)], linewidth=1.6, markersize=4, label=family)
    ax.set_xscale("log")
    ax.set_xlabel("average tokens per question (log)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"{model} / {benchmark} ({split})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def trajectory_figure(trajectory: pl.DataFrame, splits: dict[str, str]) -> Figure:
    """Per round: the search objective and each benchmark's model-averaged accuracy of that round's best."""
    fig, (acc_ax, obj_ax) = plt.subplots(1, 2, figsize=(9.6, 3.8), dpi=110)
    mean = trajectory.group_by("round", "benchmark").agg(pl.col("accuracy").mean()).sort("round")
    for benchmark in splits:
        line = mean.filter(pl.col("benchmark") == benchmark)
        style = "-" if splits[benchmark] == "search" else "--"
        acc_ax.plot(line.get_column("round").to_list(), line.get_column("accuracy").to_list(), style, marker="o",
                    label=f"{benchmark} ({splits[benchmark]})")
    acc_ax.set_xlabel("round")
    acc_ax.set_ylabel("accuracy (%), mean over models")
    acc_ax.set_title("best controller per round")
    acc_ax.legend(fontsize=8)
    objective = trajectory.select("round", "objective").unique().drop_nulls().sort("round")
    obj_ax.plot(objective.get_column("round").to_list(), objective.get_column("objective").to_list(), marker="o")
    obj_ax.set_xlabel("round")
    obj_ax.set_ylabel("search objective")
    obj_ax.set_title("objective on the search benchmark")
    for ax in (acc_ax, obj_ax):
        ax.grid(True, alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, stem: Path, formats: Sequence[str]) -> list[Path]:
    """Write ``stem.<fmt>`` for each format and close the figure."""
    paths = []
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")  # not with_suffix: "Qwen3-0.6B" has a dot
        fig.savefig(path, format=fmt, metadata={"Date": None} if fmt == "svg" else {"Software": None})
        paths.append(path)
    plt.close(fig)
    return paths
