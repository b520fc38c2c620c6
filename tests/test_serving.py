"""Using a trained adapter: merged by `python -m train.merge`, served by `transformers serve` on
127.0.0.1, called with the official openai client; and the vLLM plugin where vLLM is installed.

The adapter is trained through `python -m train` until greedy decoding reproduces its three
rows (one call, two parallel calls, a text answer), so what the server must return is known.
"""

import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import FUNCTION_LIST, WEATHER_CALL, _tiny_model_dir

from data.schema import Call
from eval.check import check_calls
from eval.parse import parse_output

ROOT = Path(__file__).resolve().parent.parent
TRANSFORMERS = str(Path(sys.executable).parent / "transformers")
SEARCH_CALL = json.dumps({"function": "search_bing", "arguments": {"query": "cafes"}}, indent=4)
ROWS = [  # user prompt, answer
    ("How warm is it in Lisbon today?", WEATHER_CALL),
    ("Weather in Oslo, and search the web for cafes.", WEATHER_CALL.replace("Lisbon", "Oslo") + "\n\n" + SEARCH_CALL),
    ("Say hello in French.", "Bonjour !"),
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {arg: {"type": "string", "description": about}},
                "required": [arg],
            },
        },
    }
    for name, description, arg, about in [
        ("get_current_weather", "Look up the weather right now in one city.", "city", "Name of the city"),
        ("search_bing", "Run a web search and return the top results.", "query", "What to search for"),
    ]
]


NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the server is local, whatever *_PROXY says


def run(cmd, timeout=300):
    result = subprocess.run(
        cmd,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]


@pytest.fixture(scope="module")
def merged(tmp_path_factory, llama_tokenizer):
    """A trained and merged tiny Llama. Its frozen LM head is initialised 10x wider than usual: with
    the default, every logit stays near zero and a LoRA adapter cannot make greedy decoding exact."""
    d = tmp_path_factory.mktemp("serve")
    base = _tiny_model_dir(tmp_path_factory, llama_tokenizer, "llama", initializer_range=0.2)
    rows = "".join(
        json.dumps({"functionList": FUNCTION_LIST, "userPrompt": user, "assistantResponse": answer}) + "\n"
        for user, answer in ROWS
    )
    (d / "rows").mkdir()
    for split in ("train", "validation", "test"):
        (d / "rows" / f"{split}.jsonl").write_text(rows)
    config = dict(
        method="sft",
        dataset=str(d / "rows"),
        family="llama2",
        model_name_or_path=str(base),
        dtype="float32",
        use_peft=True,
        lora_r=16,
        lora_alpha=32,
        lora_dropout=0.0,
        output_dir=str(d / "run"),
        use_cpu=True,
        bf16=False,
        activation_checkpointing=False,
        max_length=512,
        per_device_train_batch_size=3,
        learning_rate=1e-2,
        lr_scheduler_type="constant",
        max_steps=60,
        logging_steps=10,
        save_steps=60,
        eval_strategy="no",
        report_to="none",
        seed=0,
        disable_tqdm=True,
    )
    (d / "train.yaml").write_text(yaml.safe_dump(config))
    run([sys.executable, "-m", "train", str(d / "train.yaml")])
    run(
        [
            sys.executable,
            "-m",
            "train.merge",
            "--adapter",
            str(d / "run"),
            "--out",
            str(d / "merged"),
            "--dtype",
            "float32",
        ]
    )
    return d / "merged"


def generated(model_dir: Path, user: str) -> str:
    """What the merged model generates greedily, here, without the server."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForCausalLM.from_pretrained(str(model_dir))
    inputs = tokenizer.apply_chat_template(
        [{"role": "user", "content": user}],
        tools=TOOLS,
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    out = model.generate(**inputs, max_new_tokens=200, do_sample=False)
    return tokenizer.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


@pytest.fixture(scope="module")
def server(merged):
    """`transformers serve` on a free port of 127.0.0.1, stopped (its whole process group) afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = merged.parent / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [TRANSFORMERS, "serve", str(merged), "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, f"transformers serve exited:\n{log.read_text()[-4000:]}"
            assert time.monotonic() < deadline, f"transformers serve did not come up:\n{log.read_text()[-4000:]}"
            try:
                with NO_PROXY.open(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def client(server):
    import httpx
    from openai import OpenAI

    return OpenAI(base_url=server, api_key="unused", http_client=httpx.Client(trust_env=False))


def ask(client, merged, user, **kwargs):
    return client.chat.completions.create(
        model=str(merged),
        messages=[{"role": "user", "content": user}],
        tools=TOOLS,
        temperature=0,
        max_tokens=200,
        **kwargs,
    )


def as_calls(tool_calls) -> list[Call]:
    return [Call(t.function.name, json.loads(t.function.arguments)) for t in tool_calls]


@pytest.mark.slow
@pytest.mark.parametrize("user, answer", ROWS[:2], ids=["one-call", "parallel-calls"])
def test_server_returns_the_generated_calls_as_tool_calls(client, merged, user, answer):
    response = ask(client, merged, user)
    (choice,) = response.choices
    expected = parse_output(answer).calls
    assert len(expected) == (1 if answer == ROWS[0][1] else 2)
    assert parse_output(generated(merged, user)).calls == expected  # the model reproduces its training rows
    assert choice.finish_reason == "tool_calls" and not choice.message.content
    assert as_calls(choice.message.tool_calls) == expected
    assert all(check.ok for check in check_calls(choice.message.tool_calls, TOOLS))


@pytest.mark.slow
def test_server_returns_a_text_answer_as_content(client, merged):
    response = ask(client, merged, ROWS[2][0])
    (choice,) = response.choices
    assert generated(merged, ROWS[2][0]) == "Bonjour !"
    assert (choice.finish_reason, choice.message.content, choice.message.tool_calls) == ("stop", "Bonjour !", None)


@pytest.mark.slow
def test_streamed_answer_carries_the_same_tool_calls(client, merged):
    chunks = list(ask(client, merged, ROWS[1][0], stream=True))
    deltas = [call for chunk in chunks if chunk.choices for call in chunk.choices[0].delta.tool_calls or []]
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert as_calls(deltas) == parse_output(ROWS[1][1]).calls and not text.strip()
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["tool_calls"]


@pytest.mark.slow
def test_merged_directory_holds_the_vllm_bundle(merged):
    from data.render import chat_template
    from train.merge import VLLM_PLUGIN

    assert (merged / "chat_template.jinja").read_text() == chat_template("llama2", bos=True)
    assert (merged / VLLM_PLUGIN).read_text() == (ROOT / "eval" / "vllm_plugin.py").read_text()
    assert "response_template" in json.loads((merged / "tokenizer_config.json").read_text())


@pytest.mark.slow
def test_vllm_plugin_reads_calls_with_our_parser(merged):
    """Runs where vLLM is installed (it needs a GPU machine); the parsing it calls is tested without
    vLLM in tests/test_eval_parse.py."""
    pytest.importorskip("vllm", reason="vLLM is not installed (it needs a GPU)")
    from transformers import AutoTokenizer

    from train.merge import VLLM_PLUGIN

    path = merged / VLLM_PLUGIN
    importlib.import_module("eval.vllm_plugin").ToolParserManager.import_tool_parser(str(path))
    manager = sys.modules[path.stem].ToolParserManager
    answer = "Sure.\n\n" + ROWS[1][1]
    parser = manager.get_tool_parser("fctune_v2")(AutoTokenizer.from_pretrained(str(merged)))
    info = parser.extract_tool_calls(answer, None)  # the request is not read
    assert info.tools_called and info.content == "Sure."
    assert [Call(c.function.name, json.loads(c.function.arguments)) for c in info.tool_calls] == parse_output(
        ROWS[1][1]
    ).calls
    streamer, deltas = manager.get_tool_parser("fctune_v2")(AutoTokenizer.from_pretrained(str(merged))), []
    for end in range(1, len(answer) + 1):
        delta = streamer.extract_tool_calls_streaming(
            answer[: end - 1], answer[:end], answer[end - 1], [], [], [], None
        )
        deltas += [delta] if delta else []
    assert "".join(d.content or "" for d in deltas) == "Sure.\n\n"
    assert [
        Call(t.function.name, json.loads(t.function.arguments)) for d in deltas for t in d.tool_calls
    ] == parse_output(ROWS[1][1]).calls


@pytest.mark.slow
def test_merge_refuses_an_adapter_without_the_v2_templates(tmp_path, tiny_llama):
    """A PEFT adapter whose tokenizer fctune did not save has no family to serve with: refused, nothing written."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama))
    get_peft_model(model, LoraConfig(r=2)).save_pretrained(tmp_path / "a")
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_llama))
    tokenizer.chat_template = "{{ messages[0].content }}"  # some other chat format
    tokenizer.save_pretrained(tmp_path / "a")
    result = subprocess.run(
        [sys.executable, "-m", "train.merge", "--adapter", str(tmp_path / "a"), "--out", str(tmp_path / "m")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2 and "has no v2 chat template" in result.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "m").exists()


def test_merge_recognises_an_earlier_equivalent_template_and_writes_todays(tmp_path, tiny_llama):
    """The family is told by what the template renders, not by its text: an adapter saved with
    an earlier template of the same format merges, and the merged model gets today's template."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from data.render import chat_template
    from data.tokens import adds_bos
    from train.merge import merge

    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama))
    get_peft_model(model, LoraConfig(r=2)).save_pretrained(tmp_path / "a")
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_llama))
    today = chat_template("mistral", adds_bos(tokenizer))
    tokenizer.chat_template = "{#- written by an earlier version -#}\n" + today
    tokenizer.save_pretrained(tmp_path / "a")
    merge(tmp_path / "a", tmp_path / "m", dtype="float32")
    assert (tmp_path / "m" / "chat_template.jinja").read_text() == today
