"""Is a peeker caught as often as the verification sample's size predicts? The real runner, end to end.

    python benchmarks/verify_power.py --store data/traces.duckdb --model Qwen3-8B --benchmark aime24

The candidate (``benchmarks/candidates/peeks_sometimes.py``) peeks, and so changes its actions, on a
fixed subset A of the N episodes; everywhere else it is honest. The script finds A in-process (the
episodes whose token counts differ from the same file with the peek switched off), then, per target
power, sets a verification level whose sample of n episodes should catch it with probability
``1 - miss_probability(N, |A|, n)``, runs the isolated runner ``--trials`` times, and prints the
fraction rejected as ``peeked`` beside that prediction, with a 95% Wilson interval. The unit test
(tests/sandbox/test_verify.py) checks the sampling alone; this checks that nothing between the sample
and the verdict (strict mode, the classifying reruns) loses a catch or invents one.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from autotts.controllers.loading import load_controller_source
from autotts.discover.sandbox import Group, Isolation, SandboxLimits, UntrustedRunner, VerifyLevel
from autotts.discover.sandbox.verify import miss_probability
from autotts.evaluate.api import load_matrices
from autotts.evaluate.runner import run_episodes

CANDIDATE = Path(__file__).parent / "candidates" / "peeks_sometimes.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="data/traces.duckdb")
    parser.add_argument("--model", default="Qwen3-8B")
    parser.add_argument("--benchmark", default="aime24")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--trials", type=int, default=40, help="runs per target power")
    parser.add_argument("--power", type=float, action="append", default=[], help="default: 0.3 and 0.7")
    args = parser.parse_args(argv)
    matrix = load_matrices(args.store, [args.model], [args.benchmark])[0]
    source = CANDIDATE.read_text()
    honest = source.replace("hidden = next_hidden_final(question)", "hidden = None")
    tokens = [run_episodes(matrix, load_controller_source(s, "c.py", {}), seeds=args.seeds).tokens
              for s in (source, honest)]
    population, altered = int(tokens[0].size), int(np.count_nonzero(tokens[0] != tokens[1]))
    print(json.dumps({"episodes": population, "peeked_on": altered}), flush=True)
    runner = UntrustedRunner([matrix], Isolation.BUBBLEWRAP, SandboxLimits(cpu_seconds=600, wall_seconds=1200))
    for power in args.power or [0.3, 0.7]:
        level = VerifyLevel(rate=altered / population, power=power)
        n = level.size(population)
        predicted = 1 - miss_probability(population, altered, n)
        started, caught = time.perf_counter(), 0
        verdicts: dict[str, int] = {}
        for _ in range(args.trials):
            outcome = runner.run(source, [Group(0, {})], args.seeds, level=level)
            kind = "accepted" if isinstance(outcome, list) else outcome.kind
            verdicts[kind] = verdicts.get(kind, 0) + 1
            caught += kind == "peeked"
        low, high = _wilson(caught, args.trials)
        print(json.dumps({"sample": n, "predicted_caught": round(predicted, 3), "observed_caught":
                          round(caught / args.trials, 3), "interval_95": [round(low, 3), round(high, 3)],
                          "verdicts": verdicts, "seconds": round(time.perf_counter() - started, 1)}), flush=True)
    return 0


def _wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return centre - half, centre + half


if __name__ == "__main__":
    raise SystemExit(main())
