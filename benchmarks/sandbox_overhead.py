"""What isolation costs: episodes/s of one controller in-process, isolated in fast mode, and in strict mode.

The controller is CMC as the mechanism template renders it, with one comment added, so that autotts
treats it as untrusted (a file it did not write) while it behaves exactly like the trusted original.

    python benchmarks/sandbox_overhead.py --store data/traces.duckdb --model Qwen3-8B --benchmark aime24

prints, per beta, episodes/s in-process (Python ``solve``), through the sandbox's fast mode (start-up,
replay, logs, trusted accounting; no verification), and in strict mode (one pipe round trip per action),
and the time of a whole untrusted evaluation at the search and the final verification levels.
``--discover DIR`` also times a default discovery (the ``evolve`` proposer, whose candidates are trusted
and run in-process) into DIR, in wall and CPU seconds (user + sys: less inflated by a shared machine).
``--untrusted-discovery DIR`` times a discovery whose candidates are strangers' files (a
``--proposer command`` agent hands in the CMC file above, marked with its workspace so no two are
alike) twice: isolated, as autotts runs it, and with ``--unsafe-no-isolation``: what isolation adds to
a discovery from proposal to the finalists' verified evaluation. Only wall seconds are comparable there:
the sandbox's workers are killed when their pool closes, so their CPU never reaches ``getrusage``.
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
    parser.add_argument(
        "--untrusted-discovery",
        type=Path,
        help="also time a discovery of strangers' files, isolated and not, into this folder",
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the untrusted discovery")
    parser.add_argument("--candidates", type=int, default=4, help="candidates per round of the untrusted discovery")
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
        timed = _timed_discovery(
            ["--store", args.store, "--search-benchmark", args.benchmark, "--out", str(args.discover)]
        )
        print(json.dumps({"default_discovery_" + key: value for key, value in timed.items()}))
    if args.untrusted_discovery:
        candidate = args.untrusted_discovery / "candidate.py"
        args.untrusted_discovery.mkdir(parents=True, exist_ok=True)
        candidate.write_text(source)
        # The jailed agent sees the paths its command line names as arguments of their own.
        script = 'cat "$0" > "$1/candidate.py" && echo "# $1" >> "$1/candidate.py"'
        agent = f"sh -c '{script}' {candidate} {{workspace}}"
        for mode, extra in (("isolated", []), ("unsafe_no_isolation", ["--unsafe-no-isolation"])):
            timed = _timed_discovery(
                [
                    "--store",
                    args.store,
                    "--search-benchmark",
                    args.benchmark,
                    "--rounds",
                    str(args.rounds),
                    "--candidates",
                    str(args.candidates),
                    "--proposer",
                    "command",
                    "--proposer-param",
                    f"command={agent}",
                    "--out",
                    str(args.untrusted_discovery / mode),
                    *extra,
                ]
            )
            count = args.rounds * args.candidates  # wall only: the isolated workers' CPU is not counted (see above)
            print(json.dumps({"untrusted_discovery": mode, "candidates": count, "wall_s": timed["wall_s"]}))
    return 0


def _timed_discovery(arguments: list[str]) -> dict[str, float]:
    """Run ``autotts discover ARGUMENTS`` to the end; its wall seconds and its processes' CPU seconds."""
    started, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from autotts.cli import main; sys.exit(main())",
            "discover",
            *arguments,
            "--no-progress",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = used.ru_utime + used.ru_stime - children.ru_utime - children.ru_stime
    return {"wall_s": round(time.perf_counter() - started, 1), "cpu_s": round(cpu, 1)}


if __name__ == "__main__":
    raise SystemExit(main())
