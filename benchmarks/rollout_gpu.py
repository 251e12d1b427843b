"""Rollout throughput on a GPU: generation tokens/s and what probing costs on top.

Builds a random-weight Llama locally (nothing downloaded), rolls it out on a
few synthetic questions with the real protocol on vLLM, and prints generation
tokens/s, probe tokens computed versus tokens generated, and the time spent
probing. Where no GPU (or no vLLM) is available it says so and exits 0.

    python benchmarks/rollout_gpu.py [--samples 64] [--max-tokens 4000] [--interval 500]
    VLLM_ENABLE_V1_MULTIPROCESSING=0 VLLM_CPU_KVCACHE_SPACE=1 .venv-vllm/bin/python benchmarks/rollout_gpu.py \
        --cpu --questions 1 --samples 4 --max-tokens 256 --interval 64 --hidden 64 --layers 2 --heads 2
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from autotts.rollout.backends.base import Backend, Completion, Request
from autotts.rollout.benchmark_file import BenchmarkItem
from autotts.rollout.protocol import ProtocolConfig, rollout_question
from autotts.rollout.tiny_model import TinyModelSpec, build_tiny_model


class TimedBackend:
    """Splits a backend's time and tokens between trace generation and probes (greedy requests)."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.tokenizer = inner.tokenizer
        self.revision = inner.revision
        self.seconds = {"traces": 0.0, "probes": 0.0}

    def generate(self, requests: Sequence[Request]) -> list[Completion]:
        kind = "probes" if requests and requests[0].temperature == 0 else "traces"
        start = time.perf_counter()
        out = self.inner.generate(requests)
        self.seconds[kind] += time.perf_counter() - start
        return out


def gpu_missing(cpu: bool) -> str | None:
    """Why this machine cannot run the benchmark, or None if it can."""
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if not cpu and not torch.cuda.is_available():
        return "no CUDA GPU is visible"
    try:
        import vllm  # noqa: F401
    except ImportError:
        return "vLLM is not installed (pip install 'autotts[vllm]')"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=4)
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--max-tokens", type=int, default=4000)
    parser.add_argument("--interval", type=int, default=500)
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--cpu", action="store_true", help="run on vllm-cpu instead (a smoke test of this script)")
    args = parser.parse_args(argv)
    reason = gpu_missing(args.cpu)
    if reason:
        print(f"rollout_gpu: {reason}: no GPU here, nothing measured")
        return 0

    from autotts.rollout.backends.vllm_backend import VllmBackend

    config = ProtocolConfig(samples=args.samples, interval=args.interval, max_tokens=args.max_tokens, seed=0)
    spec = TinyModelSpec(
        hidden_size=args.hidden,
        layers=args.layers,
        heads=args.heads,
        intermediate_size=args.hidden * 3,
        max_positions=args.max_tokens + 512,
    )
    with tempfile.TemporaryDirectory() as tmp:
        model = build_tiny_model(Path(tmp) / "random-llama", spec)
        start = time.perf_counter()
        engine = {"max_model_len": args.max_tokens + 512, "seed": 0}
        if args.cpu:
            engine |= {"enforce_eager": True, "dtype": "float32"}
        backend = TimedBackend(VllmBackend(str(model), engine))
        startup = time.perf_counter() - start
        results = [
            rollout_question(backend, BenchmarkItem(f"What is {q} + {q}?", str(2 * q)), q, config)
            for q in range(args.questions)
        ]
    generated = sum(r.generated_tokens for r in results)
    probe_prompt = sum(r.probe_prompt_tokens for r in results)
    cached = sum(r.probe_cached_tokens or 0 for r in results)
    probe_out = sum(r.probe_generated_tokens for r in results)
    probes = sum(len(b.probe_answers) for r in results for b in r.stored.branches)
    computed = probe_prompt - cached + probe_out
    t_gen, t_probe = backend.seconds["traces"], backend.seconds["probes"]
    print(
        f"model: random Llama hidden {args.hidden}, {args.layers} layers, {args.heads} heads; "
        f"engine start {startup:.1f} s"
    )
    print(
        f"protocol: {args.questions} questions x {args.samples} samples, max {args.max_tokens} tokens, "
        f"probe every {args.interval}"
    )
    print(f"generation: {generated:,} tokens in {t_gen:.1f} s = {generated / t_gen:,.0f} tokens/s")
    print(
        f"probes: {probes:,} probes, prompt {probe_prompt:,} tokens of which {cached:,} from the prefix cache "
        f"({cached / max(probe_prompt, 1):.1%}), {probe_out:,} decoded"
    )
    print(
        f"probe overhead: {computed:,} tokens computed = {computed / generated:.2f} x generated; "
        f"{t_probe:.1f} s = {t_probe / t_gen:.2f} x generation time"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
