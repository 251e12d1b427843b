"""Compare a discovered controller's beta sweep with CMC (beta = 1) and SC@64 on one benchmark.

Usage:
    python benchmarks/discovery_vs_cmc.py --store data/traces.duckdb --run runs/discover [--benchmark aime24]

For each model (and the mean over models) it prints CMC at beta = 1, SC@64
and the winner at every beta of the sweep, then answers the two questions of
the acceptance: does some beta reach CMC's beta = 1 accuracy with fewer
tokens, and does some beta reach SC@64's accuracy with at most 25% of its
tokens. The winner is ``RUN/best.py``; every figure uses the same seeds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from autotts.cli.common import render_table
from autotts.evaluate.api import evaluate_matrix, load_matrices

Point = tuple[float, float]  # (accuracy %, avg tokens)


def _first_reaching(sweep: dict[float, Point], accuracy: float) -> tuple[float, Point] | None:
    """The cheapest beta whose accuracy is at least ``accuracy``."""
    reaching = sorted((p[1], b, p) for b, p in sweep.items() if p[0] >= accuracy)
    return (reaching[0][1], reaching[0][2]) if reaching else None


def _verdicts(cmc: Point, sc: Point, sweep: dict[float, Point]) -> tuple[str, str]:
    hit = _first_reaching(sweep, cmc[0])
    vs_cmc = (
        f"yes: beta={hit[0]:g}, {hit[1][0]:.2f}% with {hit[1][1] / cmc[1]:.0%} of CMC's tokens"
        if hit and hit[1][1] < cmc[1]
        else "no"
    )
    hit = _first_reaching(sweep, sc[0])
    vs_sc = (
        f"yes: beta={hit[0]:g}, {hit[1][0]:.2f}% with {hit[1][1] / sc[1]:.0%} of SC@64's tokens"
        if hit and hit[1][1] <= 0.25 * sc[1]
        else f"no ({hit[1][1] / sc[1]:.0%} of its tokens at beta={hit[0]:g})"
        if hit
        else "no"
    )
    return vs_cmc, vs_sc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("data/traces.duckdb"))
    parser.add_argument("--run", type=Path, required=True, help="discovery run directory holding best.py")
    parser.add_argument("--benchmark", default="aime24")
    parser.add_argument("--betas", default="0,0.25,0.5,0.75,1")
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args()
    best = args.run / "best.py"
    betas = [float(b) for b in args.betas.split(",")]
    summary = args.run / "summary.json"
    if summary.exists():
        data = json.loads(summary.read_text())
        print(
            f"discovery run {args.run}: winner {data['best_candidate']}, wall time {data['wall_seconds']:.0f}s, "
            f"pick: {data['verdict']}"
        )

    rows, verdicts = [], []
    cmc_all, sc_all, sweep_all = [], [], []
    for matrix in load_matrices(args.store, benchmarks=[args.benchmark]):

        def run(controller: str, params: dict, beta: float | None = None, matrix=matrix) -> Point:
            r = evaluate_matrix(matrix, controller, params, beta=beta, seeds=args.seeds, trace_seeds=0).results
            return r.accuracy, r.avg_tokens

        cmc, sc = run("cmc", {}, 1.0), run("sc", {"k": 64})
        sweep = {b: run(str(best), {}, b) for b in betas}
        cmc_all.append(cmc)
        sc_all.append(sc)
        sweep_all.append(sweep)
        rows.append(_row(matrix.model, cmc, sc, sweep))
        verdicts.append((matrix.model, *_verdicts(cmc, sc, sweep)))

    def mean(points: list[Point]) -> Point:
        return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)

    cmc_m, sc_m = mean(cmc_all), mean(sc_all)
    sweep_m = {b: mean([s[b] for s in sweep_all]) for b in betas}
    rows.append(_row("mean", cmc_m, sc_m, sweep_m))
    verdicts.append(("mean", *_verdicts(cmc_m, sc_m, sweep_m)))
    columns = ["model", "CMC b=1", "SC@64"] + [f"winner b={b:g}" for b in betas]
    print(f"\n{args.benchmark}, {args.seeds} seeds (accuracy % / avg tokens)")
    print(render_table(columns, rows))
    print()
    print(
        render_table(
            [
                "model",
                "reaches CMC(b=1) accuracy with fewer tokens",
                "reaches SC@64 accuracy with <= 25% of its tokens",
            ],
            verdicts,
        )
    )


def _row(model: str, cmc: Point, sc: Point, sweep: dict[float, Point]) -> list[str]:
    def cell(p: Point) -> str:
        return f"{p[0]:.2f} / {p[1] / 1000:.0f}k"

    return [model, cell(cmc), cell(sc)] + [cell(sweep[b]) for b in sorted(sweep)]


if __name__ == "__main__":
    main()
