"""`sdpa_rows`: PyTorch's scaled-dot-product attention, one row at a time in padding-free batches.

A padding-free batch lays its rows end to end in one sequence, position ids restarting at
each row. With `sdpa`, transformers keeps the rows apart with a block-diagonal mask over the
whole flattened batch, so attention costs (sum of row lengths)^2, and a masked call cannot
take the causal kernel, which skips the blocks above the diagonal. flash-attn's varlen
kernel computes each row alone; this does the same with sdpa, for devices without
flash-attn (a CPU): each row's queries, keys and values go through sdpa with
`is_causal=True`, and the outputs are joined again. Every other batch (padded, with a KV
cache, sliding windows, custom masks) gets transformers' own sdpa with its own mask.

Registered with transformers' `AttentionInterface` and `AttentionMaskInterface` on import.
"""

from __future__ import annotations

import torch
from transformers import AttentionInterface
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

NAME = "sdpa_rows"


def rows_mask(*args, attention_mask=None, q_offset=0, kv_offset=0, local_size=None, use_vmap=False, **kwargs):
    """No mask where the rows are told apart by their position ids alone; sdpa's mask everywhere else."""
    q_length, kv_length = kwargs.get("q_length"), kwargs.get("kv_length")
    if (
        attention_mask is None
        and not q_offset
        and not kv_offset
        and local_size is None
        and not use_vmap
        and q_length == kv_length
    ):
        return None
    return sdpa_mask(
        *args,
        attention_mask=attention_mask,
        q_offset=q_offset,
        kv_offset=kv_offset,
        local_size=local_size,
        use_vmap=use_vmap,
        **kwargs,
    )


def row_lengths(position_ids: torch.Tensor) -> list[int]:
    """Lengths of the rows of one flattened sequence: a row starts wherever its position id is 0."""
    starts = (position_ids == 0).nonzero().flatten().tolist()
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    return [b - a for a, b in zip(starts, [*starts[1:], position_ids.numel()])]


def rows_attention(module, query, key, value, attention_mask, position_ids=None, **kwargs):
    """query, key, value: (1, heads, tokens, dim); returns (1, tokens, heads, dim) like sdpa_attention_forward."""
    one_sequence = query.shape[0] == 1 and query.shape[2] == key.shape[2] and position_ids is not None
    if attention_mask is not None or not one_sequence:
        return sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
    kwargs.pop("is_causal", None)
    lengths = row_lengths(position_ids[0])
    rows = zip(query.split(lengths, dim=2), key.split(lengths, dim=2), value.split(lengths, dim=2))
    out = [sdpa_attention_forward(module, q, k, v, None, is_causal=True, **kwargs)[0] for q, k, v in rows]
    return torch.cat(out, dim=1), None


AttentionInterface.register(NAME, rows_attention)
AttentionMaskInterface.register(NAME, rows_mask)
