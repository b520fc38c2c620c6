"""The SFT loss at trained positions (`loss_implementation: trained_positions`) and `sdpa_rows` attention train
exactly what TRL's loss and transformers' sdpa train: float64 on a tiny Llama, padded and
padding-free batches from TRL's own collator, one process and two (DDP)."""

import json
import sys

import pytest
import torch
from test_train import base_config, launch, ok, run, write_config

import data.attention  # noqa: F401  (registers sdpa_rows)


def sft_rows(tokenizer, count: int = 6):
    """Rows shaped like the data stage's: a prompt of -100 labels, then a trained answer ending in EOS."""
    from datasets import Dataset

    g = torch.Generator().manual_seed(1)
    rows = []
    for i in range(count):
        prompt = torch.randint(3, len(tokenizer), (9 + 3 * i,), generator=g).tolist()
        answer = torch.randint(3, len(tokenizer), (2 + i % 3,), generator=g).tolist() + [tokenizer.eos_token_id]
        rows.append({"input_ids": prompt + answer, "labels": [-100] * len(prompt) + answer})
    return Dataset.from_list(rows)


def make_trainer(
    model_dir,
    tokenizer,
    rows,
    out,
    loss_implementation: str,
    padding_free: bool,
    attn: str = "sdpa",
    dtype=torch.float64,
    batch_size: int = 3,
):
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM
    from trl import SFTConfig

    from train.trainers import FctuneSFTTrainer

    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=dtype, attn_implementation=attn)
    torch.manual_seed(0)  # the same adapter on both sides; random B too, so that every LoRA weight gets a gradient
    lora = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False)
    args = SFTConfig(
        output_dir=str(out),
        per_device_train_batch_size=batch_size,
        use_cpu=True,
        bf16=dtype == torch.bfloat16,
        report_to="none",
        padding_free=padding_free,
        max_length=None if padding_free else 512,
        activation_checkpointing=False,
        train_sampling_strategy="sequential",
    )
    return FctuneSFTTrainer(
        model=model,
        args=args,
        train_dataset=rows,
        processing_class=tokenizer,
        peft_config=lora,
        loss_implementation=loss_implementation,
    )


def loss_and_grads(trainer, batch, num_items_in_batch=None):
    trainer.model.train()
    trainer.model.zero_grad()
    loss = trainer.compute_loss(trainer.model, dict(batch), num_items_in_batch=num_items_in_batch)
    loss.backward()
    grads = {n: p.grad.clone() for n, p in trainer.model.named_parameters() if p.requires_grad}
    metrics = {k: v[-1] for k, v in trainer._metrics["train"].items()}
    return loss.detach(), grads, metrics


@pytest.mark.parametrize("padding_free", [True, False], ids=["padding-free", "padded"])
def test_trained_positions_loss_equals_trl_and_full_logits(tiny_llama, llama_tokenizer, tmp_path, padding_free):
    from data.models import load_tokenizer

    tok = load_tokenizer(str(tiny_llama), "llama2")
    rows = sft_rows(tok)
    ours = make_trainer(tiny_llama, tok, rows, tmp_path / "a", "trained_positions", padding_free)
    trl = make_trainer(tiny_llama, tok, rows, tmp_path / "b", "trl", padding_free)
    assert ours.loss_implementation == "trained_positions" and trl.loss_implementation == "trl"
    batch = next(iter(ours.get_train_dataloader()))
    assert ("position_ids" in batch and batch["input_ids"].shape[0] == 1) == padding_free
    assert not padding_free or "attention_mask" not in batch
    # Normalised by the Trainer's count (labels after the shift), here doubled as if a second
    # micro-batch of the step held as many trained tokens: both paths divide by it alike.
    trained = int((batch["labels"][:, 1:] != -100).sum())
    for num_items in (None, torch.tensor(2 * trained)):
        loss, grads, metrics = loss_and_grads(ours, batch, num_items)
        trl_loss, trl_grads, trl_metrics = loss_and_grads(trl, batch, num_items)
        assert grads.keys() == trl_grads.keys() and len(grads) == 2 * 7 * 2  # A and B of 7 projections, 2 layers
        # TRL's chunked head keeps its softmax statistics in float32: equal to that precision.
        torch.testing.assert_close(loss, trl_loss, rtol=1e-6, atol=0)
        for name, grad in grads.items():
            assert grad.abs().max() > 0, name
            # elementwise, to a millionth of the tensor's largest entry
            torch.testing.assert_close(grad, trl_grads[name], rtol=0, atol=1e-6 * grad.abs().max().item(), msg=name)
        for key in ("entropy", "mean_token_accuracy", "num_tokens"):
            assert metrics[key] == pytest.approx(trl_metrics[key], rel=1e-6), key

        # Against the model's own float64 loss on the full logits: equal to float64 precision.
        model = ours.model
        model.zero_grad()
        inputs = {k: v for k, v in batch.items() if k != "labels"}
        full = model(
            **inputs,
            labels=batch["labels"],
            use_cache=False,
            **({} if num_items is None else {"num_items_in_batch": num_items}),
        ).loss
        full.backward()
        torch.testing.assert_close(loss, full.detach(), rtol=1e-12, atol=0)
        for name, p in model.named_parameters():
            if p.requires_grad:
                torch.testing.assert_close(grads[name], p.grad, rtol=1e-10, atol=1e-14, msg=name)
    assert metrics["num_tokens"] == 2 * sum(len(r) for r in rows["input_ids"][:3])  # the batch, counted twice


def test_bf16_autocast_trains_as_trl(tiny_llama, tmp_path):
    """bf16 weights under autocast (the embedded config), where our LoRA layers skip PEFT's float32 input cast:
    TRL's loss and gradients to bf16 precision, and the float32 adapter weights keep their dtype."""
    from data.models import load_tokenizer

    tok = load_tokenizer(str(tiny_llama), "llama2")
    rows = sft_rows(tok)
    ours = make_trainer(tiny_llama, tok, rows, tmp_path / "a", "trained_positions", True, "sdpa_rows", torch.bfloat16)
    trl = make_trainer(tiny_llama, tok, rows, tmp_path / "b", "trl", True, "sdpa", torch.bfloat16)
    assert ours.accelerator.mixed_precision == "bf16"
    batch = next(iter(ours.get_train_dataloader()))
    results = []
    for trainer in (ours, trl):
        with trainer.accelerator.autocast():  # as the Trainer's prepared model runs its forward
            results.append(loss_and_grads(trainer, batch))
    (loss, grads, _), (trl_loss, trl_grads, _) = results
    torch.testing.assert_close(loss, trl_loss, rtol=1e-2, atol=0)
    for name, grad in grads.items():
        assert grad.dtype == torch.float32
        assert (grad - trl_grads[name]).norm() <= 3e-2 * trl_grads[name].norm(), name
    assert all(m.cast_input_dtype_enabled for m in ours.model.modules() if hasattr(m, "cast_input_dtype_enabled"))


def test_shared_prefix_layout_trains_exactly_as_the_rows_apart(tiny_llama, tmp_path):
    """Rows that start alike, laid out as one sequence with their common prompt once (train.data,
    then the trainer's collator and sdpa_rows): the loss and every LoRA gradient of the rows apart,
    in fewer tokens; a row alone keeps its own layout."""
    from datasets import Dataset

    from data.models import load_tokenizer
    from train.data import shared_prefix_layout

    tok = load_tokenizer(str(tiny_llama), "llama2")
    g = torch.Generator().manual_seed(2)
    common = torch.randint(3, len(tok), (15,), generator=g).tolist()
    rows = sft_rows(tok, 5)
    ids = [common + r for r in rows["input_ids"]]
    labels = [[-100] * 15 + r for r in rows["labels"]]
    apart = Dataset.from_list([{"input_ids": i, "labels": lab} for i, lab in zip(ids, labels)])
    laid = Dataset.from_list([shared_prefix_layout(ids[:3], labels[:3]), shared_prefix_layout(ids[3:], labels[3:])])
    assert laid[1]["position_ids"] == [*range(len(ids[3])), *range(15, len(ids[4]))]
    assert shared_prefix_layout(ids[:1], labels[:1]) == {**apart[0], "position_ids": list(range(len(ids[0])))}

    shared = make_trainer(tiny_llama, tok, laid, tmp_path / "a", "trained_positions", True, "sdpa_rows")
    alone = make_trainer(tiny_llama, tok, apart, tmp_path / "b", "trained_positions", True, "sdpa_rows", batch_size=5)
    shared_batch = next(iter(shared.get_train_dataloader()))
    apart_batch = next(iter(alone.get_train_dataloader()))
    assert shared_batch["input_ids"].shape[1] == apart_batch["input_ids"].shape[1] - 3 * 15  # 5 rows, 2 prefixes
    assert torch.equal(shared_batch["position_ids"][0], torch.tensor(laid[0]["position_ids"] + laid[1]["position_ids"]))
    loss, grads, metrics = loss_and_grads(shared, shared_batch)
    apart_loss, apart_grads, apart_metrics = loss_and_grads(alone, apart_batch)
    torch.testing.assert_close(loss, apart_loss, rtol=1e-12, atol=0)
    for name, grad in grads.items():
        assert grad.abs().max() > 0, name
        # Llama's RMSNorm computes in float32 even in a float64 model, and the prefix's gradient from its rows
        # is summed before it here, after it apart: equal to float32 precision of the tensor's largest entry.
        torch.testing.assert_close(grad, apart_grads[name], rtol=0, atol=1e-6 * grad.abs().max().item(), msg=name)
    assert metrics["mean_token_accuracy"] == pytest.approx(apart_metrics["mean_token_accuracy"], rel=1e-12)


def test_sdpa_rows_equals_sdpa_on_padding_free_and_padded_batches(tiny_llama, llama_tokenizer, tmp_path):
    """Each row of a flattened batch attended alone equals sdpa's block-diagonal mask; other batches are sdpa's."""
    from transformers import AutoModelForCausalLM

    sdpa = AutoModelForCausalLM.from_pretrained(str(tiny_llama), dtype=torch.float64, attn_implementation="sdpa")
    rows = AutoModelForCausalLM.from_pretrained(str(tiny_llama), dtype=torch.float64, attn_implementation="sdpa_rows")
    lengths = [7, 12, 3, 9]
    ids = torch.randint(3, 400, (1, sum(lengths)), generator=torch.Generator().manual_seed(0))
    positions = torch.cat([torch.arange(n) for n in lengths])[None]
    outputs = []
    for model in (sdpa, rows):
        model.zero_grad()
        logits = model(input_ids=ids, position_ids=positions, use_cache=False).logits
        (logits * torch.linspace(-1, 1, logits.shape[-1], dtype=torch.float64)).sum().backward()
        outputs.append((logits.detach(), {n: p.grad.clone() for n, p in model.named_parameters()}))
    (a, grads_a), (b, grads_b) = outputs
    torch.testing.assert_close(b, a, rtol=1e-12, atol=1e-12)
    for name in grads_a:
        torch.testing.assert_close(grads_b[name], grads_a[name], rtol=1e-10, atol=1e-12, msg=name)
    starts = [0, 7, 19, 22]
    with torch.no_grad():  # and each row equals the row run alone: nothing crosses rows
        for start, n in zip(starts, lengths):
            alone = rows(input_ids=ids[:, start : start + n]).logits
            torch.testing.assert_close(b[:, start : start + n], alone, rtol=1e-12, atol=1e-12)
        padded = torch.randint(3, 400, (2, 9), generator=torch.Generator().manual_seed(1))
        mask = torch.ones(2, 9, dtype=torch.long)
        mask[1, :3] = 0  # left padding, as in generation
        torch.testing.assert_close(
            rows(input_ids=padded, attention_mask=mask).logits,
            sdpa(input_ids=padded, attention_mask=mask).logits,
            rtol=1e-12,
            atol=1e-12,
        )
        generated = [m.generate(padded, attention_mask=mask, max_new_tokens=6, do_sample=False) for m in (sdpa, rows)]
    assert torch.equal(*generated)


@pytest.mark.slow
def test_ddp_trains_the_same_with_either_loss(tmp_path, tiny_llama, call_rows):
    """Two processes (gloo on CPU), padding-free: the per-step losses of our loss and TRL's agree."""
    logged = {}
    for loss_implementation in ("trained_positions", "trl"):
        out = tmp_path / loss_implementation
        config = write_config(
            tmp_path / f"{loss_implementation}.yaml",
            **base_config(
                tiny_llama,
                call_rows,
                out,
                max_steps=4,
                padding_free=True,
                loss_implementation=loss_implementation,
                eval_after_training=False,
            ),
        )
        result = launch(config, processes=2)
        ok(result)
        info = json.loads((out / "run.json").read_text())
        assert info["world_size"] == 2 and info["global_step"] == 4
        state = json.loads((out / "checkpoint-4/trainer_state.json").read_text())
        logged[loss_implementation] = [(h["loss"], h["grad_norm"]) for h in state["log_history"] if "loss" in h]
    ours, trl = (sum(logged[k], ()) for k in ("trained_positions", "trl"))
    assert len(trl) == 8
    assert ours == pytest.approx(trl, rel=1e-4)
    assert ours != trl  # float32 rounding differs between the two computations: each run used its own


@pytest.mark.slow
def test_loss_implementation_is_checked(tmp_path, tiny_llama, call_rows):
    config = write_config(
        tmp_path / "c.yaml", **base_config(tiny_llama, call_rows, tmp_path / "run", loss_implementation="everywhere")
    )
    result = run([sys.executable, "-m", "train", str(config)])
    assert result.returncode == 2 and "loss_implementation must be one of trained_positions, trl" in result.stderr


def dpo_pairs(tokenizer, count: int = 4):
    from datasets import Dataset

    g = torch.Generator().manual_seed(2)

    def ids(n):
        return torch.randint(3, len(tokenizer), (n,), generator=g).tolist()

    return Dataset.from_dict(
        {
            "prompt_ids": [ids(8 + 4 * i) for i in range(count)],
            "chosen_ids": [ids(2 + i) + [tokenizer.eos_token_id] for i in range(count)],
            "rejected_ids": [ids(4 - i % 3) + [tokenizer.eos_token_id] for i in range(count)],
        }
    )


def make_dpo_trainer(model_dir, tokenizer, pairs, out, loss_implementation: str, **config):
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM
    from trl import DPOConfig

    from train.trainers import FctuneDPOTrainer

    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float64)
    torch.manual_seed(0)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False)
    args = DPOConfig(
        output_dir=str(out),
        per_device_train_batch_size=3,
        use_cpu=True,
        bf16=False,
        report_to="none",
        max_length=512,
        beta=0.1,
        activation_checkpointing=False,
        train_sampling_strategy="sequential",
        **config,
    )
    # Its own fingerprint, so that neither trainer reads the reference log-probabilities the other cached
    pairs = pairs.map(lambda row: row, new_fingerprint=f"pairs-{loss_implementation}")
    return FctuneDPOTrainer(
        model=model,
        args=args,
        train_dataset=pairs,
        processing_class=tokenizer,
        peft_config=lora,
        loss_implementation=loss_implementation,
    )


@pytest.mark.parametrize("precompute", [False, True], ids=["reference-inline", "reference-precomputed"])
def test_dpo_completion_positions_equal_trl(tiny_llama, tmp_path, precompute):
    """Policy and reference log-probabilities over the completions only: TRL's loss, gradients and metrics."""
    from data.models import load_tokenizer

    tok = load_tokenizer(str(tiny_llama), "llama2")
    pairs = dpo_pairs(tok)
    extra = {"precompute_ref_log_probs": True} if precompute else {}
    ours = make_dpo_trainer(tiny_llama, tok, pairs, tmp_path / "a", "trained_positions", **extra)
    trl = make_dpo_trainer(tiny_llama, tok, pairs, tmp_path / "b", "trl", **extra)
    assert ours.loss_implementation == "trained_positions" and trl.loss_implementation == "trl"
    if precompute:  # computed once for the dataset, by each trainer's own reference pass
        for column in ("ref_chosen_logps", "ref_rejected_logps"):
            torch.testing.assert_close(
                torch.tensor(ours.train_dataset[column]), torch.tensor(trl.train_dataset[column]), rtol=1e-6, atol=0
            )
    batch = next(iter(ours.get_train_dataloader()))
    assert batch["input_ids"].shape[0] == 6 and (batch["attention_mask"] == 0).any()  # 3 pairs, padded
    for a, b in zip(ours.compute_ref_log_probs(ours.model, batch), trl.compute_ref_log_probs(trl.model, batch)):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=0)
    loss, grads, metrics = loss_and_grads(ours, batch)
    trl_loss, trl_grads, trl_metrics = loss_and_grads(trl, next(iter(trl.get_train_dataloader())))
    assert loss > 0 and metrics["rewards/margins"] != 0  # policy and reference differ
    torch.testing.assert_close(loss, trl_loss, rtol=1e-6, atol=0)
    assert grads.keys() == trl_grads.keys() and len(grads) == 28
    for name, grad in grads.items():
        assert grad.abs().max() > 0, name
        torch.testing.assert_close(grad, trl_grads[name], rtol=0, atol=1e-6 * grad.abs().max().item(), msg=name)
    assert metrics.keys() == trl_metrics.keys()
    for key, value in metrics.items():
        # rewards are differences of log-probability sums, which TRL keeps in float32: absolute 1e-6
        assert value == pytest.approx(trl_metrics[key], rel=1e-5, abs=1e-6), key
