"""Generation with plain ``transformers`` and ``torch``: where vLLM cannot be installed (a bare GPU machine).

vLLM is the fast path; this backend exists so that a machine with only torch
and transformers (a GPU image without vLLM's wheels, a laptop) can still roll
out and serve live questions with the same protocol. It batches the way an
inference engine does, at the level of single decode steps:

- :class:`DecodeBatch` holds the running sequences and their KV cache (left
  padded to one length). Each :meth:`DecodeBatch.step` decodes one token for
  every running sequence, prefills the waiting ones that fit into the batch
  and joins their KV to it, and hands back the sequences that just finished,
  so a short request never waits for a long one (continuous batching).
- Sampling is seeded per request and independent of what else is in the
  batch: token ``t`` of a request is drawn by the Gumbel-max trick from
  noise hashed from (seed, position), so the same request gives the same
  tokens alone or among hundreds. Temperature 0 is greedy.

What it does not do: no prefix cache (a continued sample's prompt is
prefilled again, and completions say that no prompt token came from a
cache), no paged KV (padding costs memory when lengths differ a lot), no
CUDA graphs. Token counts are exactly the tokens decoded.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autotts.errors import RolloutError
from autotts.rollout.backends.base import ChatTokenizer, Completion, Request
from autotts.rollout.revision import model_revision

__all__ = ["DecodeBatch", "TransformersBackend", "gumbel_noise"]

# The options this backend takes (``--engine-arg KEY=VALUE``, ``--max-model-len``), with their defaults.
OPTIONS = {
    "max_model_len": None,  # prompt + completion tokens per sequence (default: the model's positions)
    "dtype": None,  # torch dtype name (default: bfloat16 on CUDA, float32 on CPU)
    "device": None,  # torch device (default: cuda if available)
    "max_batch_size": 256,  # sequences decoded together
    "max_prefill_tokens": 32768,  # padded prompt tokens prefilled in one forward pass
    "seed": None,  # accepted for parity with vLLM's engine argument; sampling is seeded per request
}
_MASK32 = 0xFFFFFFFF


class TransformersBackend:
    """A Hugging Face causal LM on one device, served by continuous batching (see the module docstring)."""

    name = "transformers"

    def __init__(self, model: str, options: Mapping[str, Any] | None = None) -> None:
        unknown = sorted(set(options or {}) - set(OPTIONS))
        if unknown:
            raise RolloutError(
                f"backend 'transformers' does not take {', '.join(unknown)} (it takes: {', '.join(OPTIONS)})"
            )
        opts = {**OPTIONS, **{k: v for k, v in (options or {}).items() if v is not None}}
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise RolloutError(
                "backend 'transformers' needs torch and transformers: pip install 'autotts[transformers]'"
            ) from exc
        device = torch.device(opts["device"] or ("cuda" if torch.cuda.is_available() else "cpu"))
        dtype = getattr(torch, str(opts["dtype"])) if opts["dtype"] else _default_dtype(device)
        hf_tokenizer = AutoTokenizer.from_pretrained(model)
        self.model = AutoModelForCausalLM.from_pretrained(model, dtype=dtype).to(device).eval()
        self.tokenizer = ChatTokenizer(hf_tokenizer)
        self.revision = model_revision(model)
        limit = opts["max_model_len"] or getattr(self.model.config, "max_position_embeddings", None)
        self.context_limit: int | None = int(limit) if limit else None
        self.stop_ids = _stop_ids(self.model, hf_tokenizer)
        self.max_batch_size = int(opts["max_batch_size"])
        self.max_prefill_tokens = int(opts["max_prefill_tokens"])
        self.device = device
        self._model_lock = threading.Lock()  # one forward pass at a time, whoever drives a batch

    def new_batch(self) -> DecodeBatch:
        """An empty batch on this model; whoever drives it calls :meth:`DecodeBatch.step` from one thread."""
        return DecodeBatch(self)

    def generate(self, requests: Sequence[Request]) -> list[Completion]:
        """All ``requests`` batched together (at most ``max_batch_size`` decoding at once), in order."""
        batch = self.new_batch()
        results: dict[Hashable, Completion] = {}
        for i, request in enumerate(requests):
            batch.add(i, request)
        while batch:
            results.update(batch.step())
        return [results[i] for i in range(len(requests))]

    def close(self) -> None:
        """Nothing runs in the background; the model is freed with the object."""


@dataclass(slots=True)
class _Sequence:
    key: Hashable
    request: Request
    generated: list[int] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Tokens this sequence has: prompt and generated (the last generated one not yet in the KV)."""
        return len(self.request.prompt_ids) + len(self.generated)


class DecodeBatch:
    """Running sequences and their KV cache; :meth:`step` advances all of them by one token."""

    def __init__(self, backend: TransformersBackend) -> None:
        self._backend = backend
        self._waiting: deque[_Sequence] = deque()
        self._running: list[_Sequence] = []
        self._cache: Any = None  # the model's KV cache of the running sequences, left padded
        self._mask: Any = None  # [rows, cached length]: 1 where the cache holds a real token
        self.steps = 0  # forward passes taken
        self.max_rows = 0  # the most sequences decoded at once: how much batching happened

    def __len__(self) -> int:
        return len(self._waiting) + len(self._running)

    def add(self, key: Hashable, request: Request) -> None:
        """Queue ``request`` under ``key``; it joins the batch at the next step with room. A request the
        model cannot hold raises :class:`RolloutError` here, as vLLM refuses it at ``add_request``."""
        limit = self._backend.context_limit
        if not request.prompt_ids:
            raise RolloutError("a request needs at least one prompt token")
        if limit is not None and len(request.prompt_ids) + request.max_tokens > limit:
            raise RolloutError(
                f"prompt ({len(request.prompt_ids)} tokens) + max_tokens ({request.max_tokens}) exceed the model's "
                f"context of {limit} tokens"
            )
        self._waiting.append(_Sequence(key, request))

    def abort(self) -> list[Hashable]:
        """Drop every sequence, running or waiting; their keys."""
        keys = [s.key for s in (*self._running, *self._waiting)]
        self._running, self._waiting = [], deque()
        self._cache = self._mask = None
        return keys

    def step(self) -> list[tuple[Hashable, Completion]]:
        """Decode one token for every running sequence, admit waiting ones; the sequences that finished."""
        import torch

        finished: list[tuple[Hashable, Completion]] = []
        for seq in [s for s in self._waiting if s.request.max_tokens <= 0]:
            self._waiting.remove(seq)
            finished.append((seq.key, self._completion(seq, "length")))
        with self._backend._model_lock, torch.inference_mode():
            logits = []
            if self._running:
                logits.append(self._decode())
            admitted = self._admit()
            if admitted:
                logits.append(self._prefill(admitted))
            if not logits:
                return finished
            self._running.extend(admitted)
            self.max_rows = max(self.max_rows, len(self._running))
            tokens = self._sample(torch.cat(logits)).tolist()
        keep = []
        for row, (seq, token) in enumerate(zip(self._running, tokens, strict=True)):
            seq.generated.append(token)
            if token in self._backend.stop_ids:
                finished.append((seq.key, self._completion(seq, "stop")))
            elif len(seq.generated) >= seq.request.max_tokens:
                finished.append((seq.key, self._completion(seq, "length")))
            else:
                keep.append(row)
        if len(keep) < len(self._running):
            self._keep_rows(keep)
        return finished

    # -- the forward passes ----------------------------------------------------------------

    def _decode(self) -> Any:
        """One forward pass over the running sequences' last tokens; their next-token logits."""
        import torch

        device = self._backend.device
        last = torch.tensor([[s.generated[-1]] for s in self._running], device=device)
        positions = torch.tensor([[s.length - 1] for s in self._running], device=device)
        self._mask = torch.cat([self._mask, torch.ones_like(self._mask[:, :1])], dim=1)
        out = self._backend.model(
            input_ids=last,
            attention_mask=self._mask,
            position_ids=positions,
            past_key_values=self._cache,
            use_cache=True,
            logits_to_keep=1,
        )
        self._cache = out.past_key_values
        self.steps += 1
        return out.logits[:, -1, :].float()

    def _admit(self) -> list[_Sequence]:
        """Waiting sequences that fit: batch rows free, and their padded prompts within the prefill budget."""
        room = self._backend.max_batch_size - len(self._running)
        admitted: list[_Sequence] = []
        longest = 0
        while self._waiting and len(admitted) < room:
            longest = max(longest, len(self._waiting[0].request.prompt_ids))
            if admitted and longest * (len(admitted) + 1) > self._backend.max_prefill_tokens:
                break
            admitted.append(self._waiting.popleft())
        return admitted

    def _prefill(self, admitted: list[_Sequence]) -> Any:
        """Prefill ``admitted`` (left padded) and join their KV to the running batch; their next-token logits."""
        import torch

        device = self._backend.device
        width = max(len(s.request.prompt_ids) for s in admitted)
        ids = torch.zeros((len(admitted), width), dtype=torch.long, device=device)
        mask = torch.zeros((len(admitted), width), dtype=torch.long, device=device)
        for row, seq in enumerate(admitted):
            prompt = seq.request.prompt_ids
            ids[row, width - len(prompt) :] = torch.tensor(prompt, device=device)
            mask[row, width - len(prompt) :] = 1
        positions = (mask.cumsum(dim=1) - 1).clamp(min=0)
        out = self._backend.model(
            input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1
        )
        self.steps += 1
        if self._cache is None:
            self._cache, self._mask = out.past_key_values, mask
        else:
            self._cache, self._mask = _join(self._cache, self._mask, out.past_key_values, mask)
        return out.logits[:, -1, :].float()

    def _sample(self, logits: Any) -> Any:
        """One token per running row: greedy at temperature 0, else Gumbel-max with the row's seeded noise."""
        import torch

        device = logits.device
        temperature = torch.tensor([s.request.temperature for s in self._running], device=device)
        greedy = logits.argmax(dim=-1)
        if not bool((temperature > 0).any()):
            return greedy
        seeds = torch.tensor([s.request.seed & (2**63 - 1) for s in self._running], device=device)
        positions = torch.tensor([s.length for s in self._running], device=device)
        scaled = logits / temperature.clamp(min=1e-6)[:, None]
        sampled = (scaled + gumbel_noise(seeds, positions, logits.shape[-1])).argmax(dim=-1)
        return torch.where(temperature > 0, sampled, greedy)

    def _keep_rows(self, rows: list[int]) -> None:
        """Drop the finished rows from the batch and the padding columns no remaining row needs."""
        import torch

        self._running = [self._running[r] for r in rows]
        if not rows:
            self._cache = self._mask = None
            return
        index = torch.tensor(rows, device=self._mask.device)
        mask = self._mask[index]
        first = int(mask.any(dim=0).nonzero()[0])
        self._mask = mask[:, first:]
        for layer in self._cache.layers:
            layer.keys = layer.keys[index, :, first:]
            layer.values = layer.values[index, :, first:]

    def _completion(self, seq: _Sequence, finish_reason: str) -> Completion:
        ids = tuple(seq.generated)
        text = self._backend.tokenizer.decode(ids)
        return Completion(token_ids=ids, text=text, finish_reason=finish_reason, cached_prompt_tokens=0)


def _join(cache: Any, mask: Any, other: Any, other_mask: Any) -> tuple[Any, Any]:
    """``other``'s rows appended to ``cache``'s, both left padded to the longer length."""
    import torch
    import torch.nn.functional as F

    width = max(mask.shape[1], other_mask.shape[1])

    def pad(t: Any, length: int) -> Any:  # left pad the sequence axis (-2 of [rows, heads, seq, dim])
        return F.pad(t, (0, 0, width - length, 0)) if length < width else t

    for layer, new in zip(cache.layers, other.layers, strict=True):
        layer.keys = torch.cat([pad(layer.keys, mask.shape[1]), pad(new.keys, other_mask.shape[1])])
        layer.values = torch.cat([pad(layer.values, mask.shape[1]), pad(new.values, other_mask.shape[1])])
    joined = torch.cat([F.pad(mask, (width - mask.shape[1], 0)), F.pad(other_mask, (width - other_mask.shape[1], 0))])
    return cache, joined


def gumbel_noise(seeds: Any, positions: Any, vocab: int) -> Any:
    """Gumbel(0, 1) noise of shape [rows, vocab], a pure function of each row's (seed, position) and the token.

    Counter-based (a 32-bit integer hash, in int64 arithmetic that is exact on CPU and GPU alike), so a
    request samples the same tokens whatever else shares its batch.
    """
    import torch

    key = _hash32(_hash32(_hash32(seeds & _MASK32) ^ (seeds >> 32)) ^ (positions & _MASK32))
    token = (torch.arange(vocab, device=seeds.device, dtype=torch.int64) * 0x9E3779B9) & _MASK32
    bits = _hash32(key[:, None] ^ token[None, :])
    uniform = (bits.double() + 0.5) / 2.0**32  # strictly inside (0, 1)
    return (-torch.log(-torch.log(uniform))).float()


def _hash32(x: Any) -> Any:
    """A 32-bit avalanche hash (xor-shift-multiply) of non-negative int64 values below 2**32."""
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & _MASK32
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & _MASK32
    return x ^ (x >> 16)


def _default_dtype(device: Any) -> Any:
    import torch

    return torch.bfloat16 if device.type == "cuda" else torch.float32


def _stop_ids(model: Any, hf_tokenizer: Any) -> frozenset[int]:
    """End-of-sequence ids, as vLLM reads them: the generation config's and the tokenizer's."""
    ids: set[int] = set()
    for source in (getattr(model, "generation_config", None), model.config, hf_tokenizer):
        eos = getattr(source, "eos_token_id", None)
        if isinstance(eos, int):
            ids.add(eos)
        elif eos:
            ids.update(int(i) for i in eos)
    return frozenset(ids)
