"""Configs: every shipped file parses; overrides win; bad configs are one clear line."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from data.common import FctuneError
from train.config import differing_keys, parse_config
from train.run_dir import CONFIG_FILE, REPLACE, resume_point, update_run, write_config

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "configs").glob("*.yaml"))
MODELS = [
    "llama2-7b",
    "llama2-13b",
    "mistral-7b",
    "zephyr-7b",
    "deepseek-coder-1.3b",
    "deepseek-coder-6.7b",
    "deepseek-coder-33b",
    "smollm2-135m",
]


def test_every_model_ships_sft_and_dpo():
    longer = {"smollm2-135m-sft-long"}  # the embedded default trained longer
    assert {p.stem for p in SHIPPED} - longer == {f"{m}-{method}" for m in MODELS for method in ("sft", "dpo")}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_config_parses(path, tmp_path):
    # TrainingArguments checks bf16 against the device; GPU configs are parsed for CPU here.
    config = parse_config([str(path), "--use_cpu", "true"])
    assert f"-{config.run.method}" in path.stem  # llama2-7b-sft, smollm2-135m-sft-long, ...
    assert type(config.train).__name__ == ("SFTConfig" if config.run.method == "sft" else "DPOConfig")
    assert config.model.use_peft and config.train.max_length
    if not path.stem.startswith("smollm2"):
        assert config.model.load_in_4bit and config.model.bnb_4bit_quant_type == "nf4"
        assert config.model.use_bnb_nested_quant and config.model.dtype == "bfloat16"
        assert config.model.bnb_4bit_quant_storage == config.model.dtype  # ready for FSDP
        assert config.train.activation_checkpointing_kwargs == {"use_reentrant": False}
    # The resolved config, written as a run writes it, parses back to the same settings,
    # secrets left out and no *_token value masked into a placeholder.
    write_config(tmp_path, config.resolved())
    again = parse_config([str(tmp_path / CONFIG_FILE)])
    assert again.resolved() == config.resolved() and "hub_token" not in config.resolved()
    assert again.train.pad_token is None and getattr(again.train, "eos_token", None) is None


@pytest.mark.parametrize("path", sorted((ROOT / "configs/accelerate").glob("*.yaml")), ids=lambda p: p.stem)
def test_accelerate_config_loads(path):
    from accelerate.commands.config.config_args import load_config_from_file

    config = load_config_from_file(str(path))
    assert config.num_processes >= 1 and config.mixed_precision == "bf16"
    if "fsdp" in path.stem:
        assert config.fsdp_config["fsdp_sharding_strategy"] == "FULL_SHARD"
    if "multi_node" in path.stem:
        assert config.num_machines == 2


def test_command_line_overrides_the_file(tmp_path):
    path = write(tmp_path, learning_rate=0.1, lora_r=4)
    config = parse_config([str(path), "--learning_rate", "0.5", "--lora_r=32"])
    assert config.train.learning_rate == 0.5 and config.model.lora_r == 32


@pytest.mark.parametrize("native", [True, False])
def test_bf16_falls_back_to_float32_where_it_is_emulated(native, monkeypatch, capsys):
    import train.config

    monkeypatch.setattr(train.config, "bf16_is_native", lambda cpu: native)
    embedded = str(ROOT / "configs/smollm2-135m-sft.yaml")
    config = parse_config([embedded])
    wanted = ("bfloat16", True, "bf16") if native else ("float32", False, "no")
    assert (config.model.dtype, config.train.bf16, config.train.mixed_precision) == wanted
    assert ("training in float32" in capsys.readouterr().out) is not native
    kept = parse_config([embedded, "--bf16_fallback_to_float32", "false"])
    assert (kept.model.dtype, kept.train.bf16) == ("bfloat16", True)
    # QLoRA's compute and storage dtypes are the quantisation's business: left as written.
    qlora = parse_config([str(ROOT / "configs/mistral-7b-sft.yaml"), "--use_cpu", "true"])
    assert qlora.model.dtype == "bfloat16" and qlora.train.bf16


def test_evaluation_dtype_auto_is_bf16_only_where_native(monkeypatch):
    import data.models

    for native, wanted in ((True, "bfloat16"), (False, "float32")):
        monkeypatch.setattr(data.models, "bf16_is_native", lambda cpu=False, native=native: native)
        assert data.models.fitting_dtype("bfloat16") == wanted
        assert data.models.fitting_dtype("float16") == "float16"


def write(tmp_path, **values) -> Path:
    base = {
        "model_name_or_path": "embedded",
        "use_peft": True,
        "use_cpu": True,
        "bf16": False,
        "activation_checkpointing": False,
        "output_dir": str(tmp_path / "run"),
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({**base, **values}))
    return path


@pytest.mark.parametrize(
    "values, args, message",
    [
        ({"lerning_rate": 0.1}, [], "unknown key 'lerning_rate' (did you mean 'learning_rate'?)"),
        ({}, ["--lora_alfa", "8"], "unknown option --lora_alfa (did you mean 'lora_alpha'?)"),
        ({"learning_rate": [0.1]}, [], "learning_rate: expected float, got list"),
        ({"lora_r": "sixteen"}, [], "lora_r: expected int, got str"),
        ({"per_device_train_batch_size": 2.5}, [], "per_device_train_batch_size: expected int"),
        ({}, ["--lora_r", "x"], "option --lora_r/--lora-r: invalid int value: 'x'"),
        ({"model_name_or_path": None}, [], "model_name_or_path is required"),
        ({"method": "ppo"}, [], "method must be one of sft, dpo, not 'ppo'"),
        ({"use_peft": False}, [], "use_peft must be true"),
        ({"sft_adapter": "runs/x"}, [], "sft_adapter is for method: dpo"),
        ({"family": "llama3"}, [], "family must be one of"),
        (
            {"load_in_4bit": True, "dtype": "bfloat16", "fsdp": "full_shard"},
            [],
            "FSDP with QLoRA needs bnb_4bit_quant_storage equal to dtype ('bfloat16'), got None",
        ),
        (
            {"activation_checkpointing": True, "activation_checkpointing_kwargs": {"use_reentrant": True}},
            [],
            "use_reentrant must be false",
        ),
        ({"load_in_4bit": True, "load_in_8bit": True}, [], "can't use 8 bit and 4 bit"),
        ({"method": "dpo", "padding_free": True}, [], "padding_free is not available for DPO"),
        ({"packing": True, "packing_strategy": "wrapped"}, [], "packing_strategy 'wrapped' joins rows"),
        ({"use_liger_kernel": True}, [], "use_liger_kernel needs liger-kernel"),
        ({"lora_last_layers": 2}, [], "lora_last_layers needs lora_target_modules as a list"),
        ({"lora_last_layers": 0, "lora_target_modules": ["q_proj"]}, [], "lora_last_layers must be at least 1"),
        ({"shared_prefix_rows": 0}, [], "shared_prefix_rows must be at least 1"),
        ({"max_train_minutes": 0}, [], "max_train_minutes must be more than 0"),
        (
            {"max_train_minutes": 5, "max_steps": -1},
            [],
            "max_train_minutes lowers max_steps to what fits: set max_steps",
        ),
        ({"max_train_minutes": 5, "max_steps": 10, "fsdp": "full_shard"}, [], "train without FSDP or DeepSpeed"),
        ({"shared_prefix_rows": 4, "padding_free": False}, [], "shared_prefix_rows above 1 needs method sft with"),
        ({"shared_prefix_rows": 4, "padding_free": True, "attn_implementation": "sdpa"}, [], "sdpa cannot"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, values, args, message):
    with pytest.raises(FctuneError) as e:
        parse_config([str(write(tmp_path, **values)), *args])
    assert message in str(e.value)


def test_not_a_mapping_or_missing_file(tmp_path):
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(FctuneError, match="a YAML mapping"):
        parse_config([str(tmp_path / "list.yaml")])
    with pytest.raises(FctuneError, match="cannot read config"):
        parse_config([str(tmp_path / "nope.yaml")])


def cli(*args):
    return subprocess.run([sys.executable, "-m", "train", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.slow
def test_cli_bad_config_is_one_line_and_exit_2(tmp_path):
    result = cli(str(write(tmp_path, lerning_rate=0.1)))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'c.yaml'}: unknown key 'lerning_rate' (did you mean 'learning_rate'?)"
    ]
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_cli_missing_model_and_dpo_without_pairs(tmp_path, call_rows):
    from data.build import build_dataset
    from data.sources import load_source

    result = cli(
        str(write(tmp_path, model_name_or_path=str(tmp_path / "no-model"), dataset=str(call_rows), family="llama2"))
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "no-model': no such directory, and not a Hub id (OWNER/NAME)" in result.stderr

    built = tmp_path / "built"
    loaded = load_source(str(call_rows))
    build_dataset(loaded, built, "llama2", test_size=0, validation_size=0)
    result = cli(str(write(tmp_path, method="dpo", dataset=str(built))))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "has no DPO pairs: build it with `python -m data build ... --dpo`" in result.stderr


@pytest.mark.slow
def test_help():
    result = cli("--help")
    assert result.returncode == 0 and "accelerate launch" in result.stdout


def test_run_directory_decisions(tmp_path):
    out = tmp_path / "run"
    settings = {"learning_rate": 0.1, "lora_r": 8, "report_to": ["none"]}
    assert resume_point(out, settings, None) is None  # new
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(FctuneError, match="not an fctune run directory"):
        resume_point(out, settings, None)
    (out / "notes.txt").unlink()
    write_config(out, settings)
    assert resume_point(out, settings, None) is None  # same settings, nothing saved yet
    (out / "checkpoint-4").mkdir()  # interrupted while saving: no trainer state
    (out / "checkpoint-2").mkdir()
    (out / "checkpoint-2/trainer_state.json").write_text("{}")
    assert resume_point(out, settings, None) == str(out / "checkpoint-2")
    assert resume_point(out, {**settings, "report_to": ["wandb"]}, None) == str(out / "checkpoint-2")
    with pytest.raises(FctuneError, match=r"other settings \(learning_rate\)"):
        resume_point(out, {**settings, "learning_rate": 0.2}, None)
    assert resume_point(out, {**settings, "learning_rate": 0.2}, "true") == str(out / "checkpoint-2")
    with pytest.raises(FctuneError, match="not a complete checkpoint"):
        resume_point(out, settings, str(out / "checkpoint-4"))
    # overwrite replaces other settings, but resumes the same settings (re-running a command never wipes progress)
    assert resume_point(out, {**settings, "learning_rate": 0.2}, None, overwrite=True) == REPLACE
    assert resume_point(out, settings, None, overwrite=True) == str(out / "checkpoint-2")
    assert resume_point(out, settings, "false") == str(out / "checkpoint-2")  # "false" is not a path
    update_run(out, status="trained")
    with pytest.raises(FctuneError, match="evaluation did not finish: run `python -m eval"):
        resume_point(out, settings, None)
    update_run(out, status="finished")
    with pytest.raises(FctuneError, match="finished run"):
        resume_point(out, settings, None)
    assert resume_point(out, settings, None, overwrite=True) == REPLACE
    fresh = tmp_path / "fresh"
    (fresh / "data").mkdir(parents=True)  # a run that built its data and stopped before training
    assert resume_point(fresh, settings, None) is None
    assert differing_keys({"a": 1, "run_name": "x"}, {"a": 1, "run_name": "y", "b": 2}) == ["b"]


def test_yaml_resume_true(tmp_path):
    config = parse_config([str(write(tmp_path, resume_from_checkpoint=True))])
    assert config.train.resume_from_checkpoint is True  # train.run_dir.resume_request reads it as "true"
