"""``autotts rollout``: sample a model on a benchmark and record a replay store."""

from __future__ import annotations

import argparse
from typing import Any

from autotts.cli.common import add_store_option, parse_params, render_table
from autotts.rollout.api import RayOptions, run_rollout
from autotts.rollout.backends import BACKENDS
from autotts.rollout.protocol import ProtocolConfig

_DEFAULTS = ProtocolConfig()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="Hugging Face id or local path of the model")
    parser.add_argument(
        "--benchmark", required=True, help="JSONL file with 'question' and 'answer' (and optional 'id')"
    )
    add_store_option(parser)
    parser.add_argument("--model-name", help="model name in the store (default: last part of --model)")
    parser.add_argument("--benchmark-name", help="benchmark name in the store (default: the file name)")
    parser.add_argument("--limit", type=int, help="roll out only the first N questions (a later run can extend)")
    add_protocol_options(parser)
    add_backend_options(parser)
    parser.add_argument("--concurrency", type=int, default=64, help="openai: requests in flight")
    ray = parser.add_argument_group("ray (several machines)")
    ray.add_argument("--ray-workers", type=int, help="fan questions out over this many Ray workers")
    ray.add_argument("--ray-address", help="Ray cluster address (default: start or join a local one)")
    ray.add_argument("--gpus-per-worker", type=float, default=1.0, help="GPUs each Ray worker reserves")
    parser.set_defaults(func=run)


def add_protocol_options(parser: argparse.ArgumentParser) -> None:
    """The sampling and probing settings (``autotts solve`` takes the same, so live matches replay)."""
    sampling = parser.add_argument_group("protocol")
    sampling.add_argument("--samples", type=int, default=_DEFAULTS.samples, help="traces per question")
    sampling.add_argument("--interval", type=int, default=_DEFAULTS.interval, help="tokens between probes")
    sampling.add_argument("--temperature", type=float, default=_DEFAULTS.temperature, help="sampling temperature")
    sampling.add_argument("--max-tokens", type=int, default=_DEFAULTS.max_tokens, help="tokens per trace")
    sampling.add_argument("--seed", type=int, default=_DEFAULTS.seed, help="sampling seed (same seed, same traces)")
    sampling.add_argument("--max-probes", type=int, default=_DEFAULTS.max_probes, help="probes per branch at most")
    sampling.add_argument("--probe-tokens", type=int, default=_DEFAULTS.probe_tokens, help="greedy tokens per probe")


def protocol_config(args: argparse.Namespace) -> ProtocolConfig:
    return ProtocolConfig(
        samples=args.samples,
        interval=args.interval,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        seed=args.seed,
        max_probes=args.max_probes,
        probe_tokens=args.probe_tokens,
    )


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """Which engine generates, and its settings (shared with ``autotts solve``)."""
    engine = parser.add_argument_group("backend")
    engine.add_argument(
        "--backend",
        choices=BACKENDS,
        default="vllm",
        help="vllm (in process), transformers (in process, where vLLM cannot run) or openai (a running "
        "OpenAI-compatible server)",
    )
    engine.add_argument("--tensor-parallel-size", type=int, help="vllm: GPUs per model replica")
    engine.add_argument("--data-parallel-size", type=int, help="vllm: model replicas in this process group")
    engine.add_argument("--max-model-len", type=int, help="vllm, transformers: context length to reserve")
    engine.add_argument(
        "--engine-arg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="vllm: any other vllm.LLM argument; transformers: dtype, device, max_batch_size, max_prefill_tokens "
        "(repeatable)",
    )
    engine.add_argument("--base-url", help="openai: the server, e.g. http://127.0.0.1:8000/v1")
    engine.add_argument("--tokenizer", help="openai: tokenizer id or path (default: --model)")
    engine.add_argument("--served-model", help="openai: the model name the server knows (default: --model)")


def run(args: argparse.Namespace) -> int:
    summary = run_rollout(
        args.model,
        args.benchmark,
        args.store,
        config=protocol_config(args),
        backend=args.backend,
        backend_options=backend_options(args),
        model_name=args.model_name,
        benchmark_name=args.benchmark_name,
        limit=args.limit,
        ray=RayOptions(args.ray_workers, args.gpus_per_worker, args.ray_address) if args.ray_workers else None,
    )
    columns = ["model", "benchmark", "questions", "skipped", "generated_tokens", "probe_prompt_tokens", "seconds"]
    row = (
        summary.model,
        summary.benchmark,
        summary.questions,
        summary.skipped,
        summary.generated_tokens,
        summary.probe_prompt_tokens,
        summary.seconds,
    )
    print(render_table(columns, [row]))
    print(f"rolled out into {args.store}")
    return 0


def backend_options(args: argparse.Namespace) -> dict[str, Any]:
    """The chosen backend's keyword arguments from the flags that were given."""
    if args.backend == "openai":
        named = {
            "base_url": args.base_url,
            "tokenizer": args.tokenizer,
            "served_model": args.served_model,
            "concurrency": args.concurrency,
        }
        return {k: v for k, v in named.items() if v is not None}
    named = {
        "tensor_parallel_size": args.tensor_parallel_size,
        "data_parallel_size": args.data_parallel_size,
        "max_model_len": args.max_model_len,
    }
    return {**{k: v for k, v in named.items() if v is not None}, **_engine_args(args.engine_arg)}


def _engine_args(pairs: list[str]) -> dict[str, Any]:
    """``--engine-arg`` values, with true/false read as booleans (``enforce_eager=true``)."""
    booleans = {"true": True, "false": False}
    return {k: booleans.get(str(v).lower(), v) for k, v in parse_params(pairs).items()}
