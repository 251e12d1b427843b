"""Stage ``report``: evaluation tables and the discovery run -> one offline HTML page, its markdown,
Table 1, the figures, and the CSVs DVC plots.

The page leads with what a reader asks first: which controller won, what it does,
how it compares with CMC and SC at each budget (with intervals, since 30
questions are few), then Table 1 beside the paper's figures (mismatches flagged),
the scaling curves and the discovery trajectory. The end-of-run summary it
returns is the page's summary table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from autotts.evaluate.parallel import EvalConfig
from autotts.files import atomic_dir, atomic_path, atomic_write
from autotts.methods import DISCOVERED, method_label
from autotts.paper import PAPER_SEEDS, not_compared, paper_notes, public_table, published_table, summarize_mismatches
from autotts.report import (
    Figure,
    Section,
    budget_rows,
    budget_table,
    budget_verdicts,
    markdown_table,
    mechanism_table,
    paper_mismatches,
    read_winner,
    render_markdown,
    render_page,
    save_figure,
    scaling_curves,
    summary_table,
    table1,
    trajectory_figure,
    winner_paragraphs,
)
from autotts.report.matched import matched_budget_section
from stages.cli import run_stage_main, stage_parser
from stages.heldout import read_baselines
from stages.params import DataParams, HeldoutParams, ReportParams, load_params
from stages.progress import track
from stages.trajectory import round_bests

__all__ = ["ReportOutputs", "report", "table_labels", "write_curves"]

TITLE = "autotts: the discovered controller against the paper's baselines"
# The budget question asked of a discovered controller: CMC's accuracy with fewer tokens, and SC's with
# at most a quarter of its tokens.
TOKEN_BARS = {"cmc": 1.0, "sc": 0.25}


@dataclass(frozen=True, slots=True)
class ReportOutputs:
    """Where the report's files go."""

    table: Path
    html: Path
    figures: Path
    curves: Path  # a folder: one CSV per (model, benchmark)
    trajectory: Path
    summary: Path  # the page's text as markdown


def table_labels(evaluations: pl.DataFrame, betas: Sequence[float]) -> list[str]:
    """Table 1's methods: each baseline at its largest budget, CMC and the discovered one at ``betas``."""
    labels = [_top(evaluations, family) for family in _budgeted_families(evaluations)]
    for controller in ("cmc", DISCOVERED):
        labels += [method_label(EvalConfig(controller, {}, b)) for b in betas]
    return labels


def report(
    params: ReportParams, data: DataParams, heldout_params: HeldoutParams, baselines: str | Path,
    heldout: str | Path, discovery: str | Path, out: ReportOutputs,
) -> str:
    """Write every report file; return the end-of-run summary (the summary table, as markdown)."""
    heldout = Path(heldout)
    evaluations = pl.concat([read_baselines(baselines), pl.read_parquet(heldout / "evaluations.parquet")])
    evaluations = evaluations.filter(pl.col("model").is_in(list(data.models)))
    trajectory = pl.read_parquet(heldout / "trajectory.parquet")
    splits = {b: data.split(b) for b in data.benchmarks}
    labels = table_labels(evaluations, heldout_params.table_betas)
    summary = summary_table(evaluations, splits, labels)
    budget = _budget(evaluations, data, heldout_params.betas)
    winner = read_winner(discovery)

    with atomic_dir(out.figures) as tmp:
        curves = []
        pairs = [(m, b) for m in data.models for b in data.benchmarks]
        for model, benchmark in track(pairs, "report figures", unit="figure"):
            fig = scaling_curves(evaluations, model, benchmark, split=splits[benchmark], highlight=DISCOVERED)
            path = save_figure(fig, tmp / f"curves-{model}-{benchmark}", params.formats)[0]
            curves.append(Figure(path, f"{model} on {benchmark} ({splits[benchmark]}): each method through its "
                                       "budgets (k, n) or betas; up and to the left is better."))
        beta = heldout_params.trajectory_beta
        rounds = round_bests(discovery)
        fig = trajectory_figure(trajectory, splits, beta=beta, candidates={r.round: r.candidate for r in rounds},
                                references=_mean_figures(evaluations, method_label(EvalConfig("cmc", {}, beta))))
        path = save_figure(fig, tmp / "trajectory", params.formats)[0]
        trajectory_caption = (
            f"After each round ({len(rounds)} in all), the best candidate so far by the search objective, re-evaluated "
            f"at beta={beta:g} on {heldout_params.trajectory_seeds} seeds of every benchmark (solid: the search "
            "benchmark, dashed: held out; dotted: CMC at the same beta). The right panel labels the candidate "
            "wherever the best changes.")
        sections = [
            Section("Summary", paragraphs=[*budget.headline, "The methods of Table 1, averaged over "
                                           f"{len(data.models)} model(s); accuracy in %, tokens per question in "
                                           "thousands:"], tables=[summary]),
            Section("The discovered controller", paragraphs=winner_paragraphs(winner),
                    tables=[t for t in [mechanism_table(winner)] if t is not None]),
            matched_budget_section(discovery, winner),
            *budget.sections,
            _table1_section(evaluations, splits, labels),
            Section("Scaling curves: accuracy against tokens", figures=curves),
            Section("Discovery trajectory", figures=[Figure(path, trajectory_caption)], wide=True),
        ]
        page = render_page(TITLE, sections)
    atomic_write(out.table, markdown_table(table1(evaluations, splits, labels, published=_published(evaluations))))
    atomic_write(out.html, page)
    atomic_write(out.summary, render_markdown(TITLE, sections))
    write_curves(out.curves, evaluations, splits)
    with atomic_path(out.trajectory) as tmp_csv:
        (trajectory.group_by("round", "benchmark").agg(pl.col("accuracy").mean(), pl.col("avg_tokens").mean(),
                                                       pl.col("objective").first())
         .sort("round", "benchmark").write_csv(tmp_csv))
    return markdown_table(summary)


def write_curves(folder: Path, evaluations: pl.DataFrame, splits: Mapping[str, str]) -> None:
    """One CSV of (tokens, accuracy) points per (model, benchmark), for ``dvc plots``: a plot per file,
    each method (family) a line of its own colour."""
    points = evaluations.with_columns(pl.col("benchmark").replace_strict(splits).alias("split")).select(
        "model", "benchmark", "split", "family", "label", "avg_tokens", "accuracy"
    ).sort("model", "benchmark", "family", "avg_tokens")
    with atomic_dir(folder) as tmp:
        for (model, benchmark), frame in points.group_by("model", "benchmark", maintain_order=True):
            frame.write_csv(tmp / f"{model}-{benchmark}.csv")


@dataclass(frozen=True, slots=True)
class _Budget:
    headline: list[str]  # the verdicts, per benchmark, for the summary
    sections: list[Section]  # a table per benchmark


def _budget(evaluations: pl.DataFrame, data: DataParams, betas: Sequence[float]) -> _Budget:
    """The discovered sweep against CMC at its largest beta and SC at its largest budget, per benchmark."""
    cmc = max(evaluations.filter(pl.col("family") == "cmc").get_column("beta").to_list(), default=None)
    references = [(method_label(EvalConfig("cmc", {}, cmc)), TOKEN_BARS["cmc"])] if cmc is not None else []
    if "sc" in _budgeted_families(evaluations):
        references.append((_top(evaluations, "sc"), TOKEN_BARS["sc"]))
    sweep = [(b, method_label(EvalConfig(DISCOVERED, {}, b))) for b in betas]
    intro = ("Each beta of the discovered controller's sweep beside the references it must beat, averaged over "
             "models: its accuracy minus theirs, in points, and its tokens as a share of theirs, each with a 90% "
             "interval in parentheses from a paired bootstrap over questions (resampled per model, the same draw "
             "for both methods). Where an accuracy interval includes zero, the difference is noise on these "
             "questions, not a measured gain.")
    headline: list[str] = []
    sections: list[Section] = []
    for benchmark in data.benchmarks:
        refs, rows = budget_rows(evaluations, benchmark, data.models, sweep, [label for label, _ in references])
        if not rows:
            continue
        verdicts = budget_verdicts(refs, rows, token_bar=[bar for _, bar in references])
        headline.append(f"On {benchmark} ({data.split(benchmark)}): " + " ".join(verdicts))
        sections.append(Section(f"Budget on {benchmark} ({data.split(benchmark)}): the discovered controller "
                                "against CMC and SC", paragraphs=([] if sections else [intro]) + verdicts,
                                tables=[budget_table(refs, rows)]))
    return _Budget(headline or ["No benchmark has both the discovered sweep and the references evaluated."],
                   sections)


def _table1_section(evaluations: pl.DataFrame, splits: Mapping[str, str], labels: Sequence[str]) -> Section:
    published = _published(evaluations)
    table = table1(evaluations, splits, labels, published=published)
    title = "Table 1: accuracy (%) and tokens (thousands) per question"
    if not published:
        seeds = sorted(set(evaluations.get_column("seeds").to_list()))
        return Section(title, paragraphs=[not_compared(seeds)], tables=[table])
    found = paper_mismatches(evaluations, published, public=public_table(), notes=paper_notes())
    lines = ["The paper's figures are in parentheses.", summarize_mismatches(found)]
    return Section(title, paragraphs=lines, tables=[table])


def _published(evaluations: pl.DataFrame) -> dict[tuple[str, str, str], tuple[float, float]]:
    """The paper's figures where our evaluations follow its protocol (100 seeds), else none."""
    return published_table() if evaluations.get_column("seeds").min() == PAPER_SEEDS else {}


def _budgeted_families(evaluations: pl.DataFrame) -> list[str]:
    budgeted = evaluations.filter(pl.col("budget").is_not_null())
    return budgeted.get_column("family").unique(maintain_order=True).to_list()


def _top(evaluations: pl.DataFrame, family: str) -> str:
    """The label of ``family`` at its largest budget (``SC@64``)."""
    rows = evaluations.filter((pl.col("family") == family) & pl.col("budget").is_not_null())
    return str(rows.sort("budget").row(-1, named=True)["label"])


def _mean_figures(evaluations: pl.DataFrame, label: str) -> dict[str, tuple[float, float]]:
    """benchmark -> (accuracy %, avg tokens) of ``label``, averaged over models."""
    means = evaluations.filter(pl.col("label") == label).group_by("benchmark").agg(
        pl.col("accuracy").mean(), pl.col("avg_tokens").mean())
    return {r["benchmark"]: (r["accuracy"], r["avg_tokens"]) for r in means.iter_rows(named=True)}


def main(argv: list[str] | None = None) -> int:
    parser = stage_parser("report", __doc__)
    parser.add_argument("--baselines", type=Path, required=True, help="the baselines stage's folder of tables")
    parser.add_argument("--heldout", type=Path, required=True, help="the heldout stage's folder")
    parser.add_argument("--discovery", type=Path, required=True, help="the discover stage's folder")
    parser.add_argument("--table", type=Path, required=True, help="markdown Table 1")
    parser.add_argument("--html", type=Path, required=True, help="the self-contained page")
    parser.add_argument("--summary", type=Path, required=True, help="the page's text as markdown")
    parser.add_argument("--figures", type=Path, required=True, help="folder of PNG/SVG figures")
    parser.add_argument("--curves", type=Path, required=True, help="folder: a CSV of (tokens, accuracy) per store")
    parser.add_argument("--trajectory", type=Path, required=True, help="CSV of the per-round trajectory")
    args = parser.parse_args(argv)

    def body() -> None:
        p = load_params(args.params)
        outputs = ReportOutputs(args.table, args.html, args.figures, args.curves, args.trajectory, args.summary)
        print(report(p.report, p.data, p.heldout, args.baselines, args.heldout, args.discovery, outputs))
        print(f"report: {args.html} (open it in a browser; it works offline), {args.summary}, {args.table}")

    return run_stage_main("report", body)


if __name__ == "__main__":
    raise SystemExit(main())
