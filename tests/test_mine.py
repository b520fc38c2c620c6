"""Preference pairs mined from an adapter's own wrong answers (`python -m train.mine`)."""

from __future__ import annotations

import json

import pytest
import torch

from data.build import build_dataset
from data.sources import load_source

pytestmark = pytest.mark.slow  # generates with a model


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, tiny_llama, call_rows):
    """An SFT run directory as training leaves it: a LoRA adapter with its tokenizer and its data build."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from data.models import load_tokenizer

    d = tmp_path_factory.mktemp("sft")
    build_dataset(load_source(str(call_rows)), d / "data", "llama2", test_size=2, validation_size=2, dpo=True)
    torch.manual_seed(1)
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(str(tiny_llama)),
        LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False),
    )
    model.save_pretrained(d)
    load_tokenizer(str(tiny_llama), "llama2").save_pretrained(d)
    return d


def test_wrong_answers_become_pairs_with_the_models_own_output(run_dir, tmp_path, capsys):
    from data.models import base_model_name
    from eval.generate import generate
    from eval.load import load_for_eval
    from eval.metrics import score_example
    from train.data import BuiltData, dpo_dataset
    from train.mine import main

    out = tmp_path / "mined"
    assert (
        main(
            [
                "--adapter",
                str(run_dir),
                "--out",
                str(out),
                "--rows",
                "6",
                "--max-new-tokens",
                "12",
                "--dtype",
                "float32",
                "--mix",
                "call_when_text=1,text_when_call=1",
            ]
        )
        == 0
    )
    assert "pairs from the adapter's wrong answers on 6 training rows" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    report = manifest["dpo"]["train"]
    pairs = [json.loads(line) for line in (out / "dpo" / "train.jsonl").read_text().splitlines()]
    mined = [p for p in pairs if p["rejection"].startswith("mined:")]
    assert len(mined) == report["mined"] and len(pairs) == report["mined"] + report["pairs"]
    assert report["answered"] == 6 and report["mined"] + sum(report["by_kind"].values()) + report["skipped"] == 6
    # The rejected answers are what the model generates for those prompts, judged wrong.
    model, tokenizer, _ = load_for_eval(base_model_name(run_dir), str(run_dir), None, None, "float32")
    outputs = dict(generate(model, tokenizer, [p["prompt"] for p in mined], 4, 12))
    examples = {ex.meta["id"]: ex for ex in load_source(str(out)).splits["train"]}
    for i, pair in enumerate(mined):
        assert pair["rejected"] == outputs[i].strip() and pair["chosen"] != pair["rejected"]
        assert not score_example(examples[pair["id"]], outputs[i])["correct"]
    # The splits are the adapter's build, unchanged; the pairs feed a DPO run.
    source = json.loads((run_dir / "data" / "manifest.json").read_text())
    assert {k: source["files"][k] for k in ("train.jsonl", "test.jsonl")} == {
        k: manifest["files"][k] for k in ("train.jsonl", "test.jsonl")
    }
    dataset = dpo_dataset(BuiltData(out, manifest), "train", tokenizer, 1024)
    assert len(dataset) == len(pairs)


def test_a_directory_that_is_no_build_is_one_line(run_dir, tmp_path, capsys):
    from train.mine import main

    assert main(["--adapter", str(run_dir), "--data", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "is not a data build" in capsys.readouterr().err and not (tmp_path / "o").exists()
