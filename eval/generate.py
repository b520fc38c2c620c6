"""Running a model over prompts: batched greedy generation and completion-only loss.

Prompts are tokenised by `data.tokens.encode_prompts`, exactly as in training and as the
saved chat template does. Generation pads on the left (so every row's next token sits in
the last column) and uses the KV cache; rows are batched by length, longest first, so
padding stays small and a memory problem shows in the first batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch
import torch.nn.functional as F

from data.tokens import encode_prompts, tokenize_pairs


def _batches(lengths: list[int], batch_size: int) -> Iterator[list[int]]:
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


@torch.no_grad()
def generate(
    model, tokenizer, prompts: list[str], batch_size: int = 16, max_new_tokens: int = 256
) -> Iterator[tuple[int, str]]:
    """(index, output text) for each prompt, a batch at a time, in length order."""
    if not prompts:  # a resumed evaluation with every row done; the tokenizer fails on an empty batch
        return
    ids = encode_prompts(tokenizer, prompts)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    device = model.device
    for batch in _batches([len(x) for x in ids], batch_size):
        width = max(len(ids[i]) for i in batch)
        input_ids = torch.tensor([[pad] * (width - len(ids[i])) + ids[i] for i in batch], device=device)
        attention = torch.tensor([[0] * (width - len(ids[i])) + [1] * len(ids[i]) for i in batch], device=device)
        out = model.generate(
            input_ids=input_ids,
            attention_mask=attention,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            temperature=None,
            top_p=None,
            top_k=None,
            use_cache=True,
            pad_token_id=pad,
            eos_token_id=tokenizer.eos_token_id,
        )
        for row, i in zip(out[:, width:].tolist(), batch):
            yield i, tokenizer.decode(row, skip_special_tokens=True)


@torch.no_grad()
def completion_loss(
    model, tokenizer, prompts: list[str], completions: list[str], batch_size: int = 8, max_length: int | None = None
) -> dict:
    """Mean loss per completion token (EOS included) and its perplexity, masked as in training."""
    pairs = tokenize_pairs(tokenizer, prompts, completions, max_length)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    total, tokens = 0.0, 0
    for batch in _batches([len(x) for x in pairs["input_ids"]], batch_size):
        width = max(len(pairs["input_ids"][i]) for i in batch)
        rows = [(pairs["input_ids"][i], pairs["completion_mask"][i]) for i in batch]
        input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids, _ in rows], device=model.device)
        attention = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in rows], device=model.device)
        labels = torch.tensor(
            [[t if m else -100 for t, m in zip(ids, mask)] + [-100] * (width - len(ids)) for ids, mask in rows],
            device=model.device,
        )
        logits = model(input_ids=input_ids, attention_mask=attention).logits.float()
        total += F.cross_entropy(
            logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=-100, reduction="sum"
        ).item()
        tokens += int((labels[:, 1:] != -100).sum())
    mean = total / tokens if tokens else None
    return {"loss": mean, "perplexity": math.exp(mean) if mean is not None else None, "tokens": tokens}
