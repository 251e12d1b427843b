"""Accuracy-vs-tokens scaling curves and the discovery trajectory, drawn with matplotlib.

Figures are saved without timestamps and with a fixed SVG id salt, so the same
data gives byte-identical files and DVC sees no spurious change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: never look for a display

import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

__all__ = ["save_figure", "scaling_curves", "trajectory_figure"]

matplotlib.rcParams["svg.hashsalt"] = "autotts"
_MARKERS = "osD^v<>PX*"


def scaling_curves(evaluations: pl.DataFrame, model: str, benchmark: str, *, split: str,
                   highlight: str | None = None) -> Figure:
    """One line per controller family through its budgets or betas, tokens on a log axis; the
    ``highlight`` family (the discovered controller) drawn black and dashed on top, so it stays
    visible where it coincides with another."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    # A log axis has no place for zero tokens (a controller that never answered).
    rows = evaluations.filter(
        (pl.col("model") == model) & (pl.col("benchmark") == benchmark) & (pl.col("avg_tokens") > 0)
    )
    others = sorted(f for f in rows.get_column("family").unique().to_list() if f != highlight)
    for i, family in enumerate([*others, *([highlight] if highlight in rows.get_column("family") else [])]):
        line = rows.filter(pl.col("family") == family).sort("avg_tokens")
        # the others wider than the dashed highlight, so a line it runs over still shows on both sides
        style: dict[str, Any] = (dict(color="black", linestyle="--", linewidth=1.8, zorder=3)
                                 if family == highlight else dict(color=f"C{i}", linewidth=3.0, alpha=0.85))
        ax.plot(line.get_column("avg_tokens").to_list(), line.get_column("accuracy").to_list(),
                marker=_MARKERS[i % len(_MARKERS)], markersize=4, label=family, **style)
    ax.set_xscale("log")
    # ticks at 1, 2 and 5 of each decade, read as 20k / 100k / 1M (matplotlib's 2x10^4 labels run together)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(_tokens))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("average tokens per question (log scale)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"{model} / {benchmark} ({split})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def _tokens(value: float, _position: int) -> str:
    for scale, unit in ((1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:g}{unit}"
    return f"{value:g}"


def trajectory_figure(
    trajectory: pl.DataFrame, splits: Mapping[str, str], *, beta: float, candidates: Mapping[int, str],
    references: Mapping[str, tuple[float, float]],
) -> Figure:
    """How discovery went, round by round: the best candidate so far, re-evaluated at ``beta`` on every
    benchmark (model-averaged accuracy and tokens, beside CMC at the same beta from ``references``:
    benchmark -> (accuracy %, avg tokens)), and its score on the search objective, labelled with its id."""
    fig, (acc_ax, tok_ax, obj_ax) = plt.subplots(1, 3, figsize=(13.5, 4.4), dpi=110)
    mean = trajectory.group_by("round", "benchmark").agg(pl.col("accuracy").mean(), pl.col("avg_tokens").mean())
    for i, benchmark in enumerate(splits):
        line = mean.filter(pl.col("benchmark") == benchmark).sort("round")
        rounds = line.get_column("round").to_list()
        style = "-" if splits[benchmark] == "search" else "--"
        colour = f"C{i}"
        name = f"{benchmark} ({splits[benchmark]})"
        acc_ax.plot(rounds, line.get_column("accuracy").to_list(), style, marker="o", color=colour, label=name)
        tok_ax.plot(rounds, [t / 1000 for t in line.get_column("avg_tokens").to_list()], style, marker="o",
                    color=colour, label=name)
        if benchmark in references:
            acc, tokens = references[benchmark]
            acc_ax.axhline(acc, color=colour, linestyle=":", linewidth=1.2, label=f"CMC(beta={beta:g}), {benchmark}")
            tok_ax.axhline(tokens / 1000, color=colour, linestyle=":", linewidth=1.2)
    acc_ax.set(xlabel="round", ylabel="accuracy (%), mean over models", title="accuracy of the best so far")
    tok_ax.set(xlabel="round", ylabel="tokens per question (thousands)", title="what it spends")
    acc_ax.legend(fontsize=8, loc="best")
    objective = trajectory.select("round", "objective").unique().drop_nulls().sort("round")
    rounds, scores = objective.get_column("round").to_list(), objective.get_column("objective").to_list()
    obj_ax.plot(rounds, scores, marker="o", color="C3")
    shown = None
    for r, score in zip(rounds, scores, strict=True):
        if candidates.get(r) != shown:  # label where the best changes
            shown = candidates.get(r)
            obj_ax.annotate(shown or "", (r, score), textcoords="offset points", xytext=(0, 8), ha="center",
                            fontsize=9)
    obj_ax.set(xlabel="round", ylabel="search objective (higher is better)", title="score on the search benchmark")
    every = sorted(set(trajectory.get_column("round").to_list()))
    for ax in (acc_ax, tok_ax, obj_ax):
        ax.set_xticks(every[:: max(1, len(every) // 12)])  # whole rounds only, a dozen at most
        ax.set_xlim(min(every, default=0) - 0.5, max(every, default=0) + 0.5)
        ax.margins(y=0.15)  # room for the labels
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"Discovery, round by round: the best candidate so far, at beta={beta:g}", fontsize=11)
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
