"""What isolation costs: episodes/s of one controller in-process, isolated in fast mode, and in strict mode.

The controller is CMC as the mechanism template renders it, with one comment added, so that autotts
treats it as untrusted (a file it did not write) while it behaves exactly like the trusted original.

    python benchmarks/sandbox_overhead.py --store data/traces.duckdb --model Qwen3-8B --benchmark aime24

prints, per beta, episodes/s in-process (Python ``solve``), through the sandbox's fast mode (start-up,
replay, logs, trusted accounting; no verification), and in strict mode (one pipe round trip per action),
and the time of a whole untrusted evaluation at the search and the final verification levels.
``--discover DIR`` also times a default discovery (the ``evolve`` proposer, whose candidates are trusted
and run in-process) into DIR, in wall and CPU seconds (user + sys: less inflated by a shared machine).
The figures depend on the machine's load: say so when you quote them.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from autotts.controllers.loading import load_controller_source
from autotts.discover.proposers.template import CMC_GENOME, render
from autotts.discover.sandbox import FINAL, SEARCH, Group, Isolation, SandboxLimits, UntrustedRunner, VerifyLevel
from autotts.evaluate.api import load_matrices
from autotts.evaluate.runner import run_episodes

NO_VERIFICATION = VerifyLevel(rate=1.0, power=0.0)  # a sample of size 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="data/traces.duckdb")
    parser.add_argument("--model", default="Qwen3-8B")
    parser.add_argument("--benchmark", default="aime24")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--beta", type=float, action="append", default=[], help="default: 0 and 1")
    parser.add_argument("--discover", type=Path, help="also time a default discovery into this folder")
    args = parser.parse_args(argv)
    matrix = load_matrices(args.store, [args.model], [args.benchmark])[0]
    source = render(CMC_GENOME, "CMC, run as a stranger's file.") + "# untrusted copy\n"
    runner = UntrustedRunner([matrix], Isolation.BUBBLEWRAP, SandboxLimits(cpu_seconds=3600, wall_seconds=7200))
    episodes = args.seeds * matrix.n_questions
    rows = []
    for beta in args.beta or [0.0, 1.0]:
        params = {"beta": beta}
        started = time.perf_counter()
        run_episodes(matrix, load_controller_source(source, "c.py", params), seeds=args.seeds, trace_seeds=1)
        in_process = time.perf_counter() - started
        timed = {}
        for name, level in (("fast", NO_VERIFICATION), ("search", SEARCH), ("final", FINAL)):
            started = time.perf_counter()
            outcome = runner.run(source, [Group(0, params)], args.seeds, level=level)
            timed[name] = time.perf_counter() - started
            assert isinstance(outcome, list), outcome
        verified = SEARCH.size(episodes)
        rows.append(
            {
                "beta": beta,
                "episodes": episodes,
                "in_process_eps": round(episodes / in_process, 1),
                "isolated_fast_eps": round(episodes / timed["fast"], 1),
                "strict_eps": round(verified / max(timed["search"] - timed["fast"], 1e-9), 1),
                "search_level_s": round(timed["search"], 2),
                "search_sample": verified,
                "final_level_s": round(timed["final"], 2),
                "final_sample": FINAL.size(episodes),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    if args.discover:
        started, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from autotts.cli import main; sys.exit(main())",
                "discover",
                "--store",
                args.store,
                "--search-benchmark",
                args.benchmark,
                "--out",
                str(args.discover),
                "--no-progress",
            ],
            check=True,
        )
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = used.ru_utime + used.ru_stime - children.ru_utime - children.ru_stime
        print(json.dumps({"default_discovery_wall_s": round(time.perf_counter() - started, 1),
                          "default_discovery_cpu_s": round(cpu, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
