"""A random-weight chat model built locally, for smoke tests and throughput benchmarks.

Nothing is downloaded: a byte-level BPE tokenizer is trained on a small
generated corpus and wrapped with a chat template that opens a ``<think>``
block, and a Llama of the requested size gets random weights. Its text is
noise, but it exercises the whole rollout path (chat template, token-id
prompts, prefix caching, cutting and probing) on any machine. Needs torch,
transformers and tokenizers (all pulled in by vLLM).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CHAT_TEMPLATE", "TinyModelSpec", "build_tiny_model"]

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]

CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n"
    "{% else %}<think>\n{% endif %}{% endif %}"
)


@dataclass(frozen=True, slots=True)
class TinyModelSpec:
    """Model shape; CPU attention in vLLM needs ``hidden_size / heads`` in {32, 64, 80, 96, 112, 128, ...}."""

    hidden_size: int = 64
    layers: int = 2
    heads: int = 2
    intermediate_size: int = 128
    vocab_size: int = 600
    max_positions: int = 2048
    seed: int = 0


def build_tiny_model(out: str | Path, spec: TinyModelSpec = TinyModelSpec()) -> Path:
    """Write a loadable model folder (config, safetensors weights, tokenizer with chat template) to ``out``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=_train_tokenizer(spec),
        bos_token="<|endoftext|>",
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.add_special_tokens({"additional_special_tokens": SPECIAL_TOKENS[1:]})
    tokenizer.save_pretrained(out)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=spec.hidden_size,
        intermediate_size=spec.intermediate_size,
        num_hidden_layers=spec.layers,
        num_attention_heads=spec.heads,
        num_key_value_heads=spec.heads,
        max_position_embeddings=spec.max_positions,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
        torch_dtype="float32",
    )
    torch.manual_seed(spec.seed)
    LlamaForCausalLM(config).save_pretrained(out)
    return out


def _train_tokenizer(spec: TinyModelSpec):  # -> tokenizers.Tokenizer
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=spec.vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(_corpus(spec.seed), trainer=trainer)
    return tok


def _corpus(seed: int) -> list[str]:
    """Math-flavoured sentences, so numbers, braces and ``\\boxed`` get tokens of their own."""
    rng = random.Random(seed)
    words = [
        "Let",
        "the",
        "sum",
        "of",
        "so",
        "we",
        "get",
        "answer",
        "is",
        "Therefore",
        "Wait",
        "check",
        "find",
        "value",
        "number",
        "total",
        "step",
        "solve",
        "equation",
        "because",
    ]
    lines = []
    for _ in range(400):
        a, b = rng.randint(0, 999), rng.randint(1, 99)
        phrase = " ".join(rng.choices(words, k=6))
        lines.append(f"{phrase} {a} + {b} = {a + b}, \\frac{{{a}}}{{{b}}} and \\boxed{{{a * b}}}.")
    return lines
