"""The eval stage end to end: batched generation, training-masked loss, reports, resuming,
BFCL, the embedded model, and bad input as one line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from data.render import render
from data.sources import load_source

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # every test here trains, generates or starts a process


@pytest.fixture(scope="module")
def built(tmp_path_factory, call_rows):
    from data.build import build_dataset

    loaded = load_source(str(call_rows))
    out = tmp_path_factory.mktemp("built") / "data"
    build_dataset(loaded, out, "llama2", test_size=4, validation_size=2)
    return out


@pytest.fixture(scope="module")
def adapter(tmp_path_factory, tiny_llama):
    """A LoRA adapter on the tiny Llama with non-zero weights, saved as training saves one."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from data.models import load_tokenizer

    torch.manual_seed(1)
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(str(tiny_llama)),
        LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False),
    )
    d = tmp_path_factory.mktemp("adapter")
    model.save_pretrained(d)
    load_tokenizer(str(tiny_llama), "llama2").save_pretrained(d)
    return d


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "eval", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_batched_generation_equals_one_at_a_time(tiny_llama, built):
    from transformers import AutoModelForCausalLM

    from data.models import load_tokenizer
    from eval.generate import generate

    tok = load_tokenizer(str(tiny_llama), "llama2")
    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama), dtype=torch.float32).eval()
    examples = load_source(str(built)).splits["test"]
    prompts = [render(ex, "llama2")[0][: 40 + 25 * i] for i, ex in enumerate(examples)]  # different lengths
    batched = dict(generate(model, tok, prompts, batch_size=4, max_new_tokens=12))
    alone = [next(generate(model, tok, [p], batch_size=1, max_new_tokens=12))[1] for p in prompts]
    assert [batched[i] for i in range(len(prompts))] == alone


def test_loss_uses_the_training_masking(tiny_llama, built):
    from transformers import AutoModelForCausalLM

    from data.models import load_tokenizer
    from eval.generate import completion_loss
    from train.data import BuiltData, sft_dataset

    tok = load_tokenizer(str(tiny_llama), "llama2")
    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama), dtype=torch.float32).eval()
    data = BuiltData(built, json.loads((built / "manifest.json").read_text()))
    rows = sft_dataset(data, "test", tok, 512)
    # What the trainer computes on each training row: mean over label tokens, summed back per row.
    total = count = 0
    with torch.no_grad():
        for row in rows:
            labels = torch.tensor([row["labels"]])
            n = int((labels[:, 1:] != -100).sum())
            total += model(torch.tensor([row["input_ids"]]), labels=labels).loss.item() * n
            count += n
    pairs = [(r["prompt"], r["completion"]) for r in data.rows("test.jsonl")]
    got = completion_loss(model, tok, [p for p, _ in pairs], [c for _, c in pairs], batch_size=3, max_length=512)
    assert got["tokens"] == count
    assert got["loss"] == pytest.approx(total / count, rel=1e-4)


def test_compare_writes_reports_and_resumes(tiny_llama, adapter, built, tmp_path):
    out = tmp_path / "ev"
    args = [
        "--model",
        tiny_llama,
        "--adapter",
        adapter,
        "--data",
        built,
        "--compare",
        "--max-new-tokens",
        8,
        "--batch-size",
        2,
        "--dtype",
        "float32",
        "--out",
        out,
    ]
    result = cli(*args)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    assert list(report["models"]) == ["base", "adapter"]
    assert report["settings"]["family"] == "llama2"  # read from the adapter's chat template
    for figures in report["models"].values():
        assert figures["calls"]["n"] == 4 and figures["loss"]["tokens"] > 0
    assert report["models"]["base"]["loss"]["loss"] != report["models"]["adapter"]["loss"]["loss"]
    assert report["versions"]["transformers"] and report["settings"]["max_new_tokens"] == 8
    assert report["dtype"] == "float32" and report["device"].startswith("cpu (")
    markdown = (out / "report.md").read_text()
    assert "| figure | base | adapter |" in markdown and f"{report['device']}, float32." in markdown
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    predictions = lines(out / "predictions.jsonl")
    assert sorted((p["model"], p["index"]) for p in predictions) == [
        (m, i) for m in ("adapter", "base") for i in range(4)
    ]
    assert all({"prompt", "output", "parsed", "expected", "verdict", "reason"} <= set(p) for p in predictions)

    # Interrupted after three predictions, the last one half-written: a re-run keeps the
    # three and redoes the rest.
    text = (out / "predictions.jsonl").read_text().splitlines()
    (out / "predictions.jsonl").write_text("\n".join(text[:3]) + "\n" + text[3][:20])
    again = cli(*args)
    assert again.returncode == 0, again.stderr[-3000:]
    redone = (out / "predictions.jsonl").read_text().splitlines()
    assert redone[:3] == text[:3] and len(redone) == 8 and all(json.loads(r) for r in redone)
    assert json.loads((out / "report.json").read_text())["models"] == report["models"]
    finished = cli(*args)  # every row done: the report is written again from the predictions alone
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert (out / "predictions.jsonl").read_text().splitlines() == redone
    assert json.loads((out / "report.json").read_text())["models"] == report["models"]

    other = cli(*args[:-2], "--max-samples", 2, "--out", out)
    assert other.returncode == 2 and "other settings (max_samples)" in other.stderr


def test_bfcl_categories(tiny_llama, tmp_path):
    result = cli(
        "--model",
        tiny_llama,
        "--family",
        "llama2",
        "--data",
        "bfcl:simple,irrelevance",
        "--max-samples",
        4,
        "--max-new-tokens",
        4,
        "--dtype",
        "float32",
        "--out",
        tmp_path / "ev",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    bfcl = json.loads((tmp_path / "ev/report.json").read_text())["models"]["base"]["bfcl"]
    assert set(bfcl["per_category"]) == {"simple_python", "irrelevance"}
    assert sum(c["n"] for c in bfcl["per_category"].values()) == 4
    assert "BFCL (AST rules)" in (tmp_path / "ev/report.md").read_text()


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            ["--family", "zephyr"],
            "--family zephyr does not match the adapter's tokenizer, trained with the llama2 format",
        ),
        (["--data", "bfcl:simplest"], "unknown BFCL category 'simplest'"),
        (["--split", "validation", "--data", "MISSING"], "no such file or directory"),
    ],
)
def test_bad_input_is_one_line(tiny_llama, adapter, built, tmp_path, extra, message):
    args = ["--model", tiny_llama, "--adapter", adapter, "--data", built, "--out", tmp_path / "ev", *extra]
    result = cli(*[str(a).replace("MISSING", str(tmp_path / "missing")) for a in args])
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: ") and message in result.stderr
    assert result.stderr.count("error:") == 1


def test_adapter_of_another_base_is_refused(tmp_path_factory, tiny_llama, adapter, built, llama_tokenizer):
    from transformers import AutoModelForCausalLM, LlamaConfig

    other = tmp_path_factory.mktemp("wider")
    AutoModelForCausalLM.from_config(
        LlamaConfig(
            vocab_size=len(llama_tokenizer),
            hidden_size=96,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
        )
    ).save_pretrained(other)
    llama_tokenizer.save_pretrained(other)
    result = cli("--model", other, "--adapter", adapter, "--data", built, "--out", tmp_path_factory.mktemp("ev"))
    assert result.returncode == 2 and "was trained on" in result.stderr


def test_embedded_model_on_a_few_rows(tmp_path):
    result = cli(
        "--model",
        "embedded",
        "--family",
        "llama2",
        "--data",
        "builtin",
        "--max-samples",
        3,
        "--max-new-tokens",
        16,
        "--out",
        tmp_path / "ev",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "ev/report.json").read_text())
    assert report["models"]["base"]["calls"]["n"] == 3 and report["models"]["base"]["loss"]["loss"] > 0
    assert len(lines(tmp_path / "ev/predictions.jsonl")) == 3


def test_prompt_completion_file_is_loss_only(tiny_llama, adapter, built, tmp_path):
    rows = [
        {"prompt": r["prompt"], "completion": r["completion"]}
        for r in map(json.loads, (built / "test.jsonl").read_text().splitlines())
    ]
    data = tmp_path / "pc.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = cli(
        "--model",
        tiny_llama,
        "--adapter",
        adapter,
        "--data",
        data,
        "--compare",
        "--dtype",
        "float32",
        "--out",
        tmp_path / "ev",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "without structured answers (functions and calls): reporting loss only" in result.stdout
    report = json.loads((tmp_path / "ev/report.json").read_text())
    assert {m: set(f) for m, f in report["models"].items()} == {"base": {"loss"}, "adapter": {"loss"}}
    assert report["models"]["adapter"]["loss"]["tokens"] > 0


def test_wandb_summary_and_predictions_table(tiny_llama, adapter, built, tmp_path, wandb_records):
    env = {**os.environ, "WANDB_MODE": "offline", "WANDB_DIR": str(tmp_path), "WANDB_SILENT": "true"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "eval",
            "--model",
            str(tiny_llama),
            "--adapter",
            str(adapter),
            "--data",
            str(built),
            "--max-new-tokens",
            "4",
            "--dtype",
            "float32",
            "--out",
            str(tmp_path / "ev"),
            "--report-to",
            "wandb",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (run_file,) = (tmp_path / "wandb").glob("offline-run-*/run-*.wandb")
    records = list(wandb_records(run_file))
    summary = {
        item.key or "/".join(item.nested_key): json.loads(item.value_json)
        for r in records
        if r.WhichOneof("record_type") == "summary"
        for item in r.summary.update
    }
    report = json.loads((tmp_path / "ev/report.json").read_text())
    assert summary["adapter/exact_accuracy"] == report["models"]["adapter"]["calls"]["exact_accuracy"]
    assert summary["adapter/loss"] == pytest.approx(report["models"]["adapter"]["loss"]["loss"])
    assert summary["predictions/_type"] == "table-file" and summary["predictions/nrows"] == 4
    (table_file,) = run_file.parent.glob("files/media/table/predictions_*.table.json")
    content = json.loads(table_file.read_text())
    assert content["columns"][:4] == ["model", "index", "id", "verdict"] and len(content["data"]) == 4
