"""What must hold however a run is used or attacked: configs and environments never run a
command, secrets never reach disk, interrupted work resumes, one process per directory, and
no JSON edge case crashes a stage (the bad-input corpus covers the one-line errors)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bad_input import CASES, row
from test_train import ROOT, base_config, ok, run, write_config

from data.common import FctuneError, exclusive, git_commit
from data.schema import Call, Example, Function
from eval.metrics import score_example
from eval.parse import parse_output

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


# --- no command from a config or an environment ---


def git(cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=env).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    d = tmp_path / "repo"
    d.mkdir()
    git(d, "init", "-q")
    (d / "f").write_text("x")
    git(d, "add", "f")
    git(d, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    return d


def test_the_commit_is_read_without_running_git(repo, tmp_path, monkeypatch):
    # A `git` on PATH that leaves a mark, and the environment of the config: neither may act.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text(f"#!/bin/sh\ntouch {tmp_path}/ran\n")
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    for key, value in {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "core.fsmonitor",
        "GIT_CONFIG_VALUE_0": f"touch {tmp_path}/pwned",
    }.items():
        monkeypatch.setenv(key, value)
    expected = subprocess.run(
        ["/usr/bin/git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}
    ).stdout.strip()
    assert git_commit(repo) == expected and len(expected) == 40
    assert git_commit(ROOT) is not None
    assert not (tmp_path / "ran").exists() and not (tmp_path / "pwned").exists()


def test_the_commit_of_packed_refs_worktrees_and_detached_heads(repo, tmp_path):
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "pack-refs", "--all")
    assert not list((repo / ".git" / "refs" / "heads").iterdir()) and git_commit(repo) == head
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"))
    assert (tmp_path / "wt" / ".git").is_file() and git_commit(tmp_path / "wt") == head
    git(repo, "checkout", "-q", "--detach")
    assert git_commit(repo) == head
    assert git_commit(tmp_path) is None  # not a repository


# --- secrets ---


@pytest.mark.slow
def test_no_token_reaches_any_file_of_the_run(tmp_path, tiny_llama, call_rows):
    config = write_config(
        tmp_path / "c.yaml",
        **base_config(
            tiny_llama,
            call_rows,
            tmp_path / "run",
            max_steps=4,
            save_steps=2,
            report_to="wandb",
            wandb_project="t",
            eval_after_training=False,
        ),
    )
    result = run(
        [sys.executable, "-m", "train", str(config), "--hub_token", "secret456"],
        env={"WANDB_MODE": "offline", "WANDB_DIR": str(tmp_path), "HF_TOKEN": "envsecret789"},
    )
    ok(result)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "training_args.bin" for p in files) and any(p.suffix == ".wandb" for p in files)
    for p in files:
        data = p.read_bytes()
        assert b"secret456" not in data and b"envsecret789" not in data, p
    assert "***" in json.loads((tmp_path / "run" / "run.json").read_text())["command"]


# --- interrupted data builds resume ---


@pytest.fixture
def big_source(tmp_path):
    """Rows enough that building them takes a few seconds, so the build can be interrupted."""
    rows = [row(userPrompt=f"Weather in Lisbon, question {i}?") for i in range(40_000)]
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def start_and_stop_during_the_build(config: Path, out: Path, sig: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "train", str(config)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while not list(out.glob(".data.partial-*")):
        assert proc.poll() is None and time.time() < deadline, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    return proc


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_run_stopped_while_building_its_data_runs_again(tmp_path, tiny_llama, big_source, sig):
    out = tmp_path / "run"
    config = write_config(
        tmp_path / "c.yaml",
        **base_config(tiny_llama, big_source, out, max_steps=2, max_train_samples=8, eval_after_training=False),
    )
    proc = start_and_stop_during_the_build(config, out, sig)
    if sig == signal.SIGTERM:  # cleaned up as for Ctrl-C
        assert proc.returncode == 143 and "run the same command again" in proc.stderr.read()
        assert not list(out.glob(".data.partial-*"))
    else:
        assert proc.returncode == -9 and list(out.glob(".data.partial-*"))
    ok(run([sys.executable, "-m", "train", str(config)]))
    assert json.loads((out / "run.json").read_text())["status"] == "finished"
    assert not list(out.glob(".data.partial-*")) and (out / "data" / "manifest.json").is_file()


# --- one process per directory ---

HOLD = (
    "import sys, time; from pathlib import Path; from data.common import exclusive\n"
    "with exclusive(Path(sys.argv[1]), 'a holder'):\n    print('held', flush=True); time.sleep(600)\n"
)


def test_a_directory_is_held_by_one_process_and_a_dead_holders_lock_is_taken_over(tmp_path):
    d = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(d)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FctuneError, match=rf"{d} is in use by a run process {holder.pid} on "):
            with exclusive(d, "a run"):
                pass
    finally:
        holder.kill()
        holder.wait()
    with exclusive(d, "a run"):  # the kernel released the dead process's lock
        assert json.loads((tmp_path / ".run.lock").read_text())["pid"] == os.getpid()
    assert not (tmp_path / ".run.lock").exists()


# --- JSON edge cases: build and validate agree; evaluation never crashes ---

ROW_CASES = [c for c in CASES if c.command == "data" and c.exit == 1 and "train.jsonl" in c.files]


@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.name)
def test_build_and_validate_agree_on_bad_rows(case, tmp_path, capsys):
    from data.__main__ import main

    src = tmp_path / "train.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in case.files["train.jsonl"]))
    assert main(["validate", "--source", str(src)]) == 1
    listed = [line for line in capsys.readouterr().out.splitlines() if line.startswith(str(src))]
    assert main(["build", "--source", str(src), "--family", "llama2", "--out", str(tmp_path / "b")]) == 1
    refused = [line for line in capsys.readouterr().err.splitlines() if line.startswith(str(src))]
    assert listed == refused and listed and all(": row 2, " in line for line in listed)


WEATHER = Example(
    "Weather in Oslo?",
    [
        Function.from_v2(
            {"function": "get_weather", "description": "", "arguments": [{"name": "city", "type": "string"}]}
        )
    ],
    [Call("get_weather", {"city": "Oslo"})],
    meta={"kind": "call"},
)

OUTPUTS = {
    "lone surrogate in a name": ('{"function": "get_\\ud800weather", "arguments": {"city": "Oslo"}}', "unparsable"),
    "lone surrogate in an argument": ('{"function": "get_weather", "arguments": {"city": "\\udc00"}}', "unparsable"),
    "arguments as a string nested 1000 deep": (
        '{"function": "get_weather", "arguments": "' + "[" * 1000 + "]" * 1000 + '"}',
        "unparsable",
    ),
    "arguments nested 1000 deep": (
        '{"function": "get_weather", "arguments": {"city": ' + "[" * 1000 + "]" * 1000 + "}}",
        "unparsable",
    ),
    "integer of 5000 digits": ('{"function": "get_weather", "arguments": {"city": ' + "9" * 5000 + "}}", "unparsable"),
    "NaN as a value": ('{"function": "get_weather", "arguments": {"city": NaN}}', "wrong_arguments"),
    "Infinity as a value": ('{"function": "get_weather", "arguments": {"city": -Infinity}}', "wrong_arguments"),
}


@pytest.mark.parametrize("name", OUTPUTS)
def test_model_outputs_with_json_edge_cases_score_and_resume(name, tmp_path):
    from eval.run import Predictions

    output, verdict = OUTPUTS[name]
    got = score_example(WEATHER, output)
    assert got["verdict"] == verdict
    json.dumps(got, allow_nan=False).encode("utf-8")  # the verdict itself is JSON, and UTF-8
    predictions = Predictions(tmp_path / "ev", {"k": 1}, overwrite=False)
    predictions.add("adapter", 0, WEATHER, "prompt", output, got)
    again = Predictions(tmp_path / "ev", {"k": 1}, overwrite=False)  # a resumed evaluation reads it back
    assert again.done == {("adapter", 0): output}
    assert score_example(WEATHER, again.done[("adapter", 0)]) == got


def test_parsing_time_is_linear_in_the_output(monkeypatch):
    """Every attempt to decode decodes a window, not the rest of the text: the characters handed to the
    decoder grow in proportion to the output, where json's own errors made it quadratic."""
    import data.schema

    seen = []
    real = data.schema.json.JSONDecoder.raw_decode

    def counting(self, s, idx=0):
        seen.append(len(s) - idx)
        return real(self, s, idx)

    monkeypatch.setattr(data.schema.json.JSONDecoder, "raw_decode", counting)
    for n in (10_000, 40_000):
        seen.clear()
        parse_output("{ oops\n" * (n // 7) + '{"function": "f", "arguments": {}}')
        per_char = sum(seen) / n
        assert per_char < 200, per_char
    seen.clear()
    parsed = parse_output("x" * 300_000 + '{"function": "f", "arguments": {"a": "' + "y" * 1000 + '"}}')
    assert parsed.calls[0].arguments["a"] == "y" * 1000 and sum(seen) < 10_000
