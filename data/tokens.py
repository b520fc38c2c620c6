"""Tokenising prompt/completion pairs with completion-only loss and a correct boundary.

The prompt is tokenised on its own exactly as `apply_chat_template` (and so vLLM or TGI
serving the saved template) tokenises it: the BOS text, for tokenizers that use one
(Llama, Mistral), then the prompt, without automatic special tokens. Plain
`tokenizer(prompt)` can differ by one token: a SentencePiece tokenizer adds its prefix
space only at the very start of a string, which after a literal BOS it is not. The
completion is tokenised as it continues the prompt: SentencePiece would add a prefix space at the start of a string, and
byte-level BPE merges white space differently at a string's end, so tokenising
prompt + completion together would give prompt tokens the model never sees at
inference. The completion is therefore encoded after a newline anchor that is then
removed, and the tokenizer's EOS is appended so the model learns to stop.
"""

from __future__ import annotations

from data.common import FctuneError

ANCHOR = "\n"


def adds_bos(tokenizer) -> bool:
    """Whether the tokenizer starts sequences with BOS (then the chat template must write it)."""
    bos = tokenizer.bos_token_id
    return bos is not None and tokenizer("a").input_ids[:1] == [bos]


def encode_prompts(tokenizer, prompts: list[str]) -> list[list[int]]:
    start = tokenizer.bos_token if adds_bos(tokenizer) else ""
    return tokenizer([start + p for p in prompts], add_special_tokens=False).input_ids


def encode_completions(tokenizer, completions: list[str]) -> list[list[int]]:
    """Each completion's ids as they follow the prompt, EOS appended."""
    if tokenizer.eos_token_id is None:
        raise FctuneError("the tokenizer has no EOS token; the model could never learn to stop")
    anchor = tokenizer(ANCHOR, add_special_tokens=False).input_ids
    anchored = tokenizer([ANCHOR + c for c in completions], add_special_tokens=False).input_ids
    out = []
    for text, ids in zip(completions, anchored):
        if ids[: len(anchor)] == anchor:
            ids = ids[len(anchor) :]
        else:  # the anchor merged with the text: fall back to encoding it alone
            ids = tokenizer(text, add_special_tokens=False).input_ids
        out.append(ids + [tokenizer.eos_token_id])
    return out


def tokenize_pairs(tokenizer, prompts: list[str], completions: list[str], max_length: int | None = None) -> dict:
    """Batched: input_ids and completion_mask (1 on completion tokens), as TRL's SFTTrainer takes them.

    Sequences longer than `max_length` are cut at the end, as the trainer would."""
    input_ids, masks = [], []
    for p, c in zip(encode_prompts(tokenizer, prompts), encode_completions(tokenizer, completions)):
        ids, mask = p + c, [0] * len(p) + [1] * len(c)
        if max_length is not None:
            ids, mask = ids[:max_length], mask[:max_length]
        input_ids.append(ids)
        masks.append(mask)
    return {"input_ids": input_ids, "completion_mask": masks}


def render_and_tokenize(
    records,
    tokenizer,
    family: str,
    system: str = "",
    max_length: int | None = None,
    batch_size: int = 1000,
    num_proc: int | None = None,
):
    """A `datasets.Dataset` with an `example` column (as `python -m data build` writes it) to
    prompt, completion, input_ids and completion_mask, with batched `datasets.map`."""
    import json

    from data.render import render
    from data.schema import Example

    def batch_fn(batch):
        pairs = [render(Example.from_record(json.loads(r)), family, system) for r in batch["example"]]
        prompts, completions = [p for p, _ in pairs], [c for _, c in pairs]
        return {
            "prompt": prompts,
            "completion": completions,
            **tokenize_pairs(tokenizer, prompts, completions, max_length),
        }

    return records.map(
        batch_fn,
        batched=True,
        batch_size=batch_size,
        num_proc=num_proc,
        remove_columns=records.column_names,
        desc="rendering and tokenizing",
    )
