"""The data commands as users type them: exit codes, files written, messages."""

import json
import os
import subprocess
import sys

import pytest
from conftest import V2_ROWS, V3_ROWS

from data.__main__ import main
from data.sources import load_source

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def source(tmp_path):
    rows = [dict(V2_ROWS[i % 2], userPrompt=f"{V2_ROWS[i % 2]['userPrompt']} ({i})") for i in range(20)]
    return jsonl(tmp_path / "train.jsonl", rows)


def test_build_writes_splits_manifest_and_dpo(tmp_path, source, capsys):
    out = tmp_path / "built"
    assert (
        main(
            [
                "build",
                "--source",
                source,
                "--family",
                "zephyr",
                "--out",
                str(out),
                "--dpo",
                "--test-size",
                "0.2",
                "--validation-size",
                "2",
                "--system-prompt",
                "Be brief.",
            ]
        )
        == 0
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"] == {"train": 14, "validation": 2, "test": 4}
    assert manifest["format_version"] == "trelis-v2" and manifest["family"] == "zephyr"
    assert set(manifest["files"]) == {
        "train.jsonl",
        "validation.jsonl",
        "test.jsonl",
        "dpo/train.jsonl",
        "dpo/validation.jsonl",
        "dpo/test.jsonl",
    }
    train = read_jsonl(out / "train.jsonl")
    assert len(train) == 14
    assert train[0]["prompt"].startswith("<FUNCTIONS>{") and "<<SYS>>\nBe brief.\n<</SYS>>" in train[0]["prompt"]
    dpo = read_jsonl(out / "dpo" / "train.jsonl")
    assert len(dpo) == manifest["dpo"]["train"]["pairs"] and all(r["chosen"] != r["rejected"] for r in dpo)
    assert "wrote" in capsys.readouterr().out
    # A built directory is itself a source, giving back the very same examples.
    again = load_source(str(out))
    assert [e.to_record() for e in again.splits["train"]] == [json.loads(r["example"]) for r in train]


def test_build_is_deterministic_and_replaces_a_previous_build(tmp_path, source):
    out = tmp_path / "built"
    for _ in range(2):
        assert main(["build", "--source", source, "--family", "llama2", "--out", str(out), "--dpo"]) == 0
        files = json.loads((out / "manifest.json").read_text())["files"]
        if _ == 0:
            first = files
    assert files == first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".built")]  # no temporary left behind


def test_build_refuses_invalid_rows_unless_told(tmp_path, capsys):
    bad = dict(V2_ROWS[0], assistantResponse='{"function": "fly_to_mars", "arguments": {}}')
    src = jsonl(tmp_path / "train.jsonl", [V2_ROWS[0], bad, V2_ROWS[1], V3_ROWS[0]])
    out = tmp_path / "built"
    assert main(["build", "--source", src, "--family", "llama2", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{src}: row 2, column assistantResponse: call to undeclared function 'fly_to_mars'" in err
    assert "--skip-invalid" in err and not out.exists()
    assert (
        main(
            [
                "build",
                "--source",
                src,
                "--family",
                "llama2",
                "--out",
                str(out),
                "--skip-invalid",
                "--test-size",
                "1",
                "--validation-size",
                "0",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "skipped 1 invalid row(s)" in err and "row 2, column assistantResponse" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["skipped_invalid"]["count"] == 1 and manifest["counts"]["train"] == 2


def test_build_never_overwrites_a_foreign_directory(tmp_path, source, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["build", "--source", source, "--family", "llama2", "--out", str(out)]) == 2
    assert "is not a previous build" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "keep me"


def test_validate_lists_every_problem_and_exits_nonzero(tmp_path, capsys):
    bad1 = dict(V2_ROWS[0], userPrompt="")
    bad2 = dict(V2_ROWS[0], functionList="{oops")
    src = jsonl(tmp_path / "train.jsonl", [V2_ROWS[0], bad1, bad2])
    assert main(["validate", "--source", src]) == 1
    out = capsys.readouterr().out
    assert f"{src}: row 2, column userPrompt: empty prompt" in out
    assert f"{src}: row 3, column functionList: unparsable function metadata" in out
    assert "3 rows checked: 1 valid, 2 invalid" in out
    assert main(["validate", "--source", jsonl(tmp_path / "ok.jsonl", V2_ROWS)]) == 0


def test_show_prints_examples_and_length_statistics(source, capsys):
    assert main(["show", "--source", source, "--family", "deepseek-coder", "-n", "2", "--max-length", "64"]) == 0
    out = capsys.readouterr().out
    assert out.count("===== train example") == 2
    assert "\n### Instruction:\n" in out and "----- completion" in out
    assert "prompt      p50" in out and "total       p50" in out
    assert "max length 64: 20 row(s) truncated" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["build", "--source", "nowhere/x.csv", "--family", "llama2", "--out", "o"], "no such file or directory"),
        (["validate", "--source", "bfcl:no_such_category"], "no_such_category"),
        (
            ["build", "--source", "builtin", "--family", "llama2", "--out", "o", "--dpo", "--dpo-mix", "foo=1"],
            "unknown rejection kind 'foo'",
        ),
        (
            [
                "show",
                "--source",
                "builtin",
                "--family",
                "llama2",
                "--split",
                "test",
                "--tokenizer",
                "/no/such/tokenizer",
            ],
            "error:",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and message in err[0]


@pytest.mark.slow
def test_module_entry_point_and_help():
    result = subprocess.run([sys.executable, "-m", "data", "build", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "--family {llama2,mistral,zephyr,deepseek-coder,chatml}" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "data", "build", "--source", "builtin"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2 and "the following arguments are required: --family, --out" in result.stderr


def test_build_never_deletes_files_it_did_not_write(tmp_path, source, capsys):
    out = tmp_path / "ext"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "a browser extension"}')
    (out / "background.js").write_text("keep me")
    assert main(["build", "--source", source, "--family", "llama2", "--out", str(out)]) == 2
    assert "is not a previous build" in capsys.readouterr().err
    # A real previous build with a stranger inside is refused too.
    built = tmp_path / "built"
    assert main(["build", "--source", source, "--family", "llama2", "--out", str(built)]) == 0
    (built / "notes.txt").write_text("mine")
    assert main(["build", "--source", source, "--family", "llama2", "--out", str(built)]) == 2
    assert "holds files a build did not write (notes.txt)" in capsys.readouterr().err
    assert (out / "background.js").read_text() == "keep me" and (built / "notes.txt").read_text() == "mine"


def test_build_is_readable_like_any_new_directory(tmp_path, source):
    out = tmp_path / "built"
    assert main(["build", "--source", source, "--family", "llama2", "--out", str(out)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask


def test_unicode_line_separators_survive_a_build(tmp_path):
    row = dict(V2_ROWS[1], userPrompt="one\u2028two\x85three", assistantResponse="fine\u2029done")
    out = tmp_path / "built"
    assert (
        main(
            [
                "build",
                "--source",
                jsonl(tmp_path / "train.jsonl", [row] * 3),
                "--family",
                "llama2",
                "--out",
                str(out),
                "--test-size",
                "1",
                "--validation-size",
                "1",
            ]
        )
        == 0
    )
    again = load_source(str(out))
    assert again.splits["train"][0].user == "one\u2028two\x85three"
    assert again.splits["train"][0].text == "fine\u2029done"


def test_show_on_a_build_uses_its_own_format(tmp_path, source, capsys):
    out = tmp_path / "built"
    assert (
        main(["build", "--source", source, "--family", "zephyr", "--system-prompt", "Be brief.", "--out", str(out)])
        == 0
    )
    capsys.readouterr()
    assert main(["show", "--source", str(out), "-n", "1"]) == 0
    shown = capsys.readouterr().out
    first = read_jsonl(out / "train.jsonl")[0]
    assert (
        first["prompt"] + "----- completion (loss is computed on this part only) -----\n" + first["completion"] in shown
    )
    assert main(["show", "--source", str(out), "--family", "llama2"]) == 2
    assert "was built with --family 'zephyr', not 'llama2'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args,message",
    [
        (["--dpo", "--dpo-mix", "wrong_value=nan"], "must be a finite number"),
        (["--dpo", "--dpo-mix", "wrong_value=inf"], "must be a finite number"),
        (["--dpo", "--dpo-mix", "wrong_value=0"], "weight 0"),
    ],
)
def test_bad_dpo_mix_is_refused_before_any_work(tmp_path, source, args, message, capsys):
    out = tmp_path / "built"
    assert main(["build", "--source", source, "--family", "llama2", "--out", str(out), *args]) == 2
    assert message in capsys.readouterr().err and not out.exists()


def test_nothing_left_to_build_is_an_error(tmp_path, capsys):
    bad = dict(V2_ROWS[0], userPrompt="")
    src = jsonl(tmp_path / "train.jsonl", [bad, bad])
    assert main(["build", "--source", src, "--family", "llama2", "--out", str(tmp_path / "o"), "--skip-invalid"]) == 2
    assert "no valid rows to build from" in capsys.readouterr().err


def test_show_rejects_a_negative_count(source):
    with pytest.raises(SystemExit) as e:
        main(["show", "--source", source, "--family", "llama2", "-n", "-1"])
    assert e.value.code == 2
