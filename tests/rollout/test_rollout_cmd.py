"""``autotts rollout`` flags become the backend's options."""

from __future__ import annotations

from autotts.cli import build_parser
from autotts.cli.rollout_cmd import backend_options


def parse(*extra: str):  # -> argparse.Namespace
    return build_parser().parse_args(["rollout", "--model", "m", "--benchmark", "b.jsonl", *extra])


def test_vllm_flags_become_engine_arguments() -> None:
    args = parse(
        "--tensor-parallel-size",
        "2",
        "--max-model-len",
        "4096",
        "--engine-arg",
        "enforce_eager=true",
        "--engine-arg",
        "gpu_memory_utilization=0.8",
        "--engine-arg",
        "dtype=bfloat16",
    )
    assert backend_options(args) == {
        "tensor_parallel_size": 2,
        "max_model_len": 4096,
        "enforce_eager": True,
        "gpu_memory_utilization": 0.8,
        "dtype": "bfloat16",
    }


def test_openai_flags_become_client_options() -> None:
    args = parse("--backend", "openai", "--base-url", "http://127.0.0.1:8000/v1", "--served-model", "qwen")
    assert backend_options(args) == {"base_url": "http://127.0.0.1:8000/v1", "served_model": "qwen", "concurrency": 64}


def test_protocol_defaults_are_the_release_protocol() -> None:
    args = parse()
    assert (args.samples, args.interval, args.temperature, args.max_tokens, args.max_probes) == (
        128,
        500,
        0.7,
        40000,
        80,
    )
