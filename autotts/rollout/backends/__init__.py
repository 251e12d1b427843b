"""Generation backends, chosen by name: ``vllm`` or ``transformers`` (in-process), or ``openai`` (a server)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autotts.errors import RolloutError
from autotts.rollout.backends.base import Backend, ChatTokenizer, Completion, Request

__all__ = ["BACKENDS", "Backend", "ChatTokenizer", "Completion", "Request", "load_backend"]

BACKENDS = ("vllm", "openai", "transformers")


def load_backend(name: str, model: str, options: Mapping[str, Any]) -> Backend:
    """Build the named backend; ``options`` are its keyword arguments (vLLM: engine arguments; transformers:
    ``max_model_len``, ``dtype``, ``device``, ``max_batch_size``, ``max_prefill_tokens``)."""
    if name == "vllm":
        from autotts.rollout.backends.vllm_backend import VllmBackend

        return VllmBackend(model, options)
    if name == "transformers":
        from autotts.rollout.backends.transformers_backend import TransformersBackend

        return TransformersBackend(model, options)
    if name == "openai":
        from autotts.rollout.backends.openai_backend import OpenAIBackend

        opts = dict(options)
        if "base_url" not in opts:
            raise RolloutError("backend 'openai' needs a server: give --base-url")
        return OpenAIBackend(model, opts.pop("base_url"), **opts)
    raise RolloutError(f"unknown backend {name!r} (backends: {', '.join(BACKENDS)})")
