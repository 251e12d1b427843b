"""``autotts paper``: the paper's Table 1 controllers, replayed on every store, beside the published figures."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autotts.cli.common import add_store_option, progress_bar, render_table
from autotts.evaluate.seeds import DEFAULT_SEEDS
from autotts.methods import PAPER_TABLE1, method_label
from autotts.paper import (
    PAPER_SEEDS,
    Figures,
    compare_with_paper,
    evaluate_paper_table,
    not_compared,
    paper_notes,
    public_table,
    published_table,
    summarize_mismatches,
)
from autotts.results import Evaluation


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (f"{parser.description}. A store with no traces (or none yet) first gets the replay "
                          "data bundled with autotts: 4 Qwen3 models x AIME24/25.")
    add_store_option(parser)
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS,
                        help=f"branch orders 0..N-1 per question (default {DEFAULT_SEEDS}, the paper's protocol)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    published = published_table()
    with progress_bar("paper") as on_progress:
        evaluations = evaluate_paper_table(args.store, seeds=args.seeds, on_progress=on_progress,
                                           on_ingest=lambda: print(f"{args.store} holds no traces: ingesting the "
                                                                   "bundled replay data first", file=sys.stderr))
    table1 = {method_label(c) for c in PAPER_TABLE1}
    rows = []
    for method, ev in evaluations:
        if method not in table1:  # a paper setting replayed to check a note: it speaks in the comparison
            continue
        paper = published.get((ev.model, ev.benchmark, method))
        rows.append(
            (
                ev.model,
                ev.benchmark,
                method,
                ev.results.accuracy,
                round(ev.results.avg_tokens / 1000, 1),
                round(ev.results.avg_sequential_tokens / 1000, 1),
                paper[0] if paper else None,
                paper[1] if paper else None,
            )
        )
    columns = ["model", "benchmark", "method", "accuracy", "tokens_k", "seq_tokens_k", "paper_acc", "paper_tokens_k"]
    print(render_table(columns, rows))
    print(f"\n{comparison(evaluations, published, args.seeds)}")
    checks = len(evaluations) - len(rows)
    also = f" (and {checks} at the paper's own settings, checking our notes)" if checks else ""
    print(f"\n{len(rows)} evaluations over {len(PAPER_TABLE1)} methods{also}, recorded in {args.store}")
    return 0


def comparison(evaluations: Sequence[tuple[str, Evaluation]], published: Figures, seeds: int) -> str:
    """Where our Table 1 differs from the paper's beyond its rounding and why, or that it does not (on its
    seeds only)."""
    if seeds != PAPER_SEEDS:
        return not_compared([seeds])
    ours = {(ev.model, ev.benchmark, method): (ev.results.accuracy, ev.results.avg_tokens / 1000)
            for method, ev in evaluations}
    found = compare_with_paper(ours, published, public=public_table(), notes=paper_notes())
    return summarize_mismatches(found, lines=True)
