"""Candidate evaluations per CPU-minute: template genomes through the Python loop (before) and the kernel (after).

Usage:
    python benchmarks/template_search_speed.py --store data/traces.duckdb [--benchmark aime24] [--candidates 24]

A candidate evaluation is what the search does per candidate: every search
model x 5 betas x 10 seeds x the search fold's 20 questions. The same
candidates (the starting designs and children bred from them) are replayed
through the readable Python loop on one seed, the way the loop replayed
every candidate before the kernel (figures scaled to 10 seeds), and through
the kernel on all 10. CPU seconds, not wall time: the machine may be shared.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from autotts.discover.genome_evaluation import GenomeEvaluator, question_folds, restrict
from autotts.discover.mechanisms import DiscoveredController, build_mechanisms
from autotts.discover.proposers.evolve import EvolveProposer
from autotts.discover.proposers.template import STARTS
from autotts.evaluate.api import load_matrices
from autotts.evaluate.runner import replay_controller

BETAS = (0.0, 0.25, 0.5, 0.75, 1.0)
SEEDS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("data/traces.duckdb"))
    parser.add_argument("--benchmark", default="aime24")
    parser.add_argument("--candidates", type=int, default=24)
    args = parser.parse_args()
    matrices = load_matrices(args.store, benchmarks=[args.benchmark])
    search, _ = question_folds(matrices[0].n_questions, 3, seed=0)
    matrices = [restrict(m, search) for m in matrices]
    rng, breeder = random.Random(0), EvolveProposer()
    genomes = list(STARTS.values())
    while len(genomes) < args.candidates:
        genomes.append(breeder.breed(rng, ("", rng.choice(genomes)), ("", rng.choice(genomes)))[0])
    episodes = len(matrices) * len(BETAS) * SEEDS * len(search)

    started = time.process_time()
    for genome in genomes:
        for beta in BETAS:
            controller = DiscoveredController(beta, genome.lines, build_mechanisms(genome.choice))
            for matrix in matrices:
                replay_controller(matrix.traces, controller, seeds=1, trace_seeds=0)
    python = (time.process_time() - started) * SEEDS  # one seed replayed, ten counted

    evaluator = GenomeEvaluator(matrices, BETAS, SEEDS)
    evaluator.evaluate(genomes[0])  # compile or load the kernel first
    started = time.process_time()
    for genome in genomes:
        evaluator.evaluate(genome)
    kernel = time.process_time() - started

    total = episodes * len(genomes)
    print(f"{len(genomes)} candidates x {episodes:,} episodes ({len(matrices)} models, {len(BETAS)} betas, {SEEDS} "
          f"seeds, {len(search)} questions)")
    print(f"{'path':28s} {'CPU s/candidate':>16s} {'episodes/CPU-s':>15s} {'candidates/CPU-min':>19s}")
    for name, seconds in (("Python loop (before)", python), ("genome kernel (after)", kernel)):
        print(f"{name:28s} {seconds / len(genomes):16.3f} {total / seconds:15,.0f} {len(genomes) / seconds * 60:19.1f}")
    print(f"speed-up: {python / kernel:.0f}x")


if __name__ == "__main__":
    main()
