"""Does the fast path train the same thing? Checks on the same rows, in float64 on the CPU.

1. Loss per trained token is the same for a padded batch (the baseline's), a padding-free
   batch (rows laid end to end, position ids restarting at each row) and BFD-packed bins,
   within LOSS_TOLERANCE (relative).
2. No row attends to another: in the padding-free batch each row's logits equal those of
   the row run alone, and changing one row's tokens moves no other row's logits, within
   LOGIT_TOLERANCE.

The batches come from TRL's own collator and packer, and the model is the shape's
architecture at a tiny size with a wide initialisation (so attention is far from uniform
and a leak would show), with sdpa attention, whose mask transformers builds from the
position ids. float64 leaves rounding far below the tolerances. What this checks is what
the batches mean; flash-attn (used instead of sdpa when installed) reads the same row
boundaries from the collator's cu_seq_lens.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

LOSS_TOLERANCE = 1e-9
LOGIT_TOLERANCE = 1e-9


def check_model(shape: str):
    from transformers import AutoModelForCausalLM

    from bench.random_model import family_of, model_config

    torch.manual_seed(0)
    # use_cache off as in training: with a cache, transformers does not look for row boundaries in position ids
    config = model_config(f"tiny-{family_of(shape)}", initializer_range=0.2, use_cache=False)
    return AutoModelForCausalLM.from_config(config, dtype=torch.float64, attn_implementation="sdpa").eval()


@torch.no_grad()
def loss_per_token(model, batch: dict) -> tuple[float, int]:
    """Summed next-token cross-entropy over label positions, and their count."""
    batch = dict(batch)
    labels = batch.pop("labels")
    logits = model(**batch).logits
    target = labels[:, 1:]
    total = F.cross_entropy(
        logits[:, :-1].reshape(-1, logits.size(-1)), target.reshape(-1), ignore_index=-100, reduction="sum"
    )
    return total.item(), int((target != -100).sum())


@torch.no_grad()
def leak(model, rows: list[list[int]], flat_batch: dict) -> dict:
    """How far each row's logits in `flat_batch` are from the row alone, and how far a change to the
    first row moves the others."""
    batch = {k: v for k, v in flat_batch.items() if k != "labels"}
    packed = model(**batch).logits[0]
    starts = [0]
    for r in rows:
        starts.append(starts[-1] + len(r))
    alone = max(
        (packed[s:e] - model(input_ids=torch.tensor([r])).logits[0]).abs().max().item()
        for r, s, e in zip(rows, starts, starts[1:])
    )
    changed = dict(batch)
    changed["input_ids"] = batch["input_ids"].clone()
    first = changed["input_ids"][0, 1 : starts[1]]
    changed["input_ids"][0, 1 : starts[1]] = (first + 7) % model.config.vocab_size
    moved = model(**changed).logits[0]
    return {
        "max_diff_from_row_alone": alone,
        "max_change_in_other_rows": (moved[starts[1] :] - packed[starts[1] :]).abs().max().item(),
        "max_change_in_changed_row": (moved[: starts[1]] - packed[: starts[1]]).abs().max().item(),
    }


def check_packing(shape: str, examples: list[dict], pad_token_id: int, max_length: int) -> dict:
    """Both checks on `examples` (dicts with input_ids and labels); `passed` says whether all hold."""
    from datasets import Dataset
    from trl.data_utils import pack_dataset
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    model = check_model(shape)
    examples = [{"input_ids": e["input_ids"], "labels": e["labels"]} for e in examples]
    padded = DataCollatorForLanguageModeling(pad_token_id=pad_token_id)(examples)
    flat = DataCollatorForLanguageModeling(pad_token_id=pad_token_id, padding_free=True)
    bins = pack_dataset(Dataset.from_list(examples), max_length, "bfd")
    losses = {}
    for name, batches in (
        ("padded", [padded]),
        ("padding_free", [flat(examples)]),
        ("packed_bfd", [flat([b]) for b in bins]),
    ):
        sums = [loss_per_token(model, b) for b in batches]
        losses[name] = sum(s for s, _ in sums) / sum(n for _, n in sums)
    base = losses["padded"]
    loss_gap = max(abs(v - base) / abs(base) for v in losses.values())
    leaks = leak(model, [e["input_ids"] for e in examples], flat(examples))
    passed = (
        loss_gap <= LOSS_TOLERANCE
        and leaks["max_diff_from_row_alone"] <= LOGIT_TOLERANCE
        and leaks["max_change_in_other_rows"] <= LOGIT_TOLERANCE
        and leaks["max_change_in_changed_row"] > LOGIT_TOLERANCE
    )
    return {
        "rows": len(examples),
        "packed_bins": len(bins),
        "loss_per_trained_token": losses,
        "max_relative_loss_gap": loss_gap,
        **leaks,
        "loss_tolerance": LOSS_TOLERANCE,
        "logit_tolerance": LOGIT_TOLERANCE,
        "passed": passed,
    }
