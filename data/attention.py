"""`sdpa_rows`: PyTorch's scaled-dot-product attention, one row at a time in padding-free batches.

A padding-free batch lays its rows end to end in one sequence, position ids restarting at
each row. With `sdpa`, transformers keeps the rows apart with a block-diagonal mask over the
whole flattened batch, so attention costs (sum of row lengths)^2, and a masked call cannot
take the causal kernel, which skips the blocks above the diagonal. flash-attn's varlen
kernel computes each row alone; this does the same with sdpa, for devices without
flash-attn (a CPU): each row's queries, keys and values go through sdpa with
`is_causal=True`, and the outputs are joined again. Every other batch (padded, with a KV
cache, sliding windows, custom masks) gets transformers' own sdpa with its own mask.

A row may also hold several rows that share a prompt prefix (train/data.py
`shared_prefix_layout`): position ids then count up through the prefix and start again at the
prefix's length for each row's rest. Wherever positions do not go up by one inside a row, a
rest begins; it sees the prefix and itself, and no other rest.

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


def shared_prefix_mask(positions: torch.Tensor) -> torch.Tensor | None:
    """(tokens, tokens), True where a query may see a key: causal, within the prefix and the query's own
    rest. None for a plain row, whose positions go up by one throughout.

    Every rest starts at the prefix's length, so the first break in the positions tells where the
    prefix ends: the first rest follows it without a break."""
    starts = torch.ones_like(positions, dtype=torch.bool)
    starts[1:] = positions[1:] != positions[:-1] + 1
    breaks = starts[1:].nonzero()
    if not len(breaks):
        return None
    part = starts.cumsum(0)  # 1 for the prefix and the first rest, 2, 3, ... for the others
    part[: int(positions[int(breaks[0]) + 1])] = 0
    index = torch.arange(positions.numel(), device=positions.device)
    seen = (part[None, :] == 0) | (part[None, :] == part[:, None])
    return seen & (index[None, :] <= index[:, None])


def rows_attention(module, query, key, value, attention_mask, position_ids=None, **kwargs):
    """query, key, value: (1, heads, tokens, dim); returns (1, tokens, heads, dim) like sdpa_attention_forward."""
    one_sequence = query.shape[0] == 1 and query.shape[2] == key.shape[2] and position_ids is not None
    if attention_mask is not None or not one_sequence:
        return sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
    kwargs.pop("is_causal", None)
    lengths = row_lengths(position_ids[0])
    out = []
    for q, k, v, positions in zip(
        query.split(lengths, dim=2),
        key.split(lengths, dim=2),
        value.split(lengths, dim=2),
        position_ids[0].split(lengths),
    ):
        mask = shared_prefix_mask(positions)
        if mask is None:
            out.append(sdpa_attention_forward(module, q, k, v, None, is_causal=True, **kwargs)[0])
        else:
            out.append(sdpa_attention_forward(module, q, k, v, mask[None, None], is_causal=False, **kwargs)[0])
    return torch.cat(out, dim=1), None


AttentionInterface.register(NAME, rows_attention)
AttentionMaskInterface.register(NAME, rows_mask)
