"""Shared fixtures: offline tokenizers and rows in the shapes of the Trelis dataset.

The rows are our own text in the Trelis column layout and cell formats; nothing here is
copied from the dataset.
"""

import json
import os
import struct
import zlib
from pathlib import Path

import pytest

from bench.random_model import LLAMA_TOKENIZER_CONFIG

# Nothing in the tests may reach for the network: the Hub is unreachable here anyway,
# and a hung connection is worse than a clear failure.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

WEATHER_V2 = {
    "function": "get_current_weather",
    "description": "Look up the weather right now in one city.",
    "arguments": [{"name": "city", "type": "string", "description": "Name of the city"}],
}
SEARCH_V2 = {
    "function": "search_bing",
    "description": "Run a web search and return the top results.",
    "arguments": [{"name": "query", "type": "string", "description": "What to search for"}],
}
# A functionList cell: v2 objects dumped with indent 4, separated by a blank line.
FUNCTION_LIST = json.dumps(WEATHER_V2, indent=4) + "\n\n" + json.dumps(SEARCH_V2, indent=4)
WEATHER_CALL = '{\n    "function": "get_current_weather",\n    "arguments": {\n        "city": "Lisbon"\n    }\n}'

V2_ROWS = [
    {"functionList": FUNCTION_LIST, "userPrompt": "How warm is it in Lisbon today?", "assistantResponse": WEATHER_CALL},
    {"functionList": FUNCTION_LIST, "userPrompt": "Say hello in French.", "assistantResponse": "Bonjour !"},
]

WEATHER_OPENAI = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Look up the weather right now in one city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "Name of the city"}},
            "required": ["city"],
        },
    },
}
V3_ROWS = [
    {
        "functionList": json.dumps([WEATHER_OPENAI]),
        "userPrompt": "How warm is it in Lisbon today?",
        "assistantResponse": json.dumps({"name": "get_current_weather", "arguments": {"city": "Lisbon"}}),
    },
]

# explicit/implicit branches: the metadata lives in the system prompt, no functionList column.
SYSTEM_WITH_FUNCTIONS = (
    "You can call these functions when they help:\n\n"
    + FUNCTION_LIST
    + "\n\nTo call one, answer with a JSON object only."
)
SYSTEM_ROWS = [
    {
        "systemPrompt": SYSTEM_WITH_FUNCTIONS,
        "userPrompt": "How warm is it in Lisbon today?",
        "assistantResponse": WEATHER_CALL,
    },
]


@pytest.fixture(scope="session")
def smollm2_tokenizer():
    """SmolLM2's byte-level BPE tokenizer, read from the embedded GGUF file."""
    from data.models import load_tokenizer

    return load_tokenizer("embedded", "llama2")


@pytest.fixture(scope="session")
def llama_tokenizer(tmp_path_factory):
    """A Llama-style SentencePiece tokenizer (BPE, byte fallback, dummy prefix), trained offline."""
    import sentencepiece as spm
    from transformers import AutoTokenizer

    d = tmp_path_factory.mktemp("llama-spm")
    lines = []
    for i in range(200):
        lines += [
            f"[INST] What is the weather in Paris on day {i}? [/INST]",
            '"function": "get_current_weather", "arguments": {"city": "Paris", "days": 3}',
            "<FUNCTIONS> Search the web, read a file, save the chat, list files. </FUNCTIONS>",
            "<<SYS>> You are a helpful assistant that calls functions. <</SYS>>",
        ]
    # Lines carry no newline, so "\n" is left to byte fallback (<0x0A>), as in Llama 2's vocabulary.
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=str(d / "tokenizer"),
        vocab_size=500,
        model_type="bpe",
        byte_fallback=True,
        split_digits=True,
        add_dummy_prefix=True,
        remove_extra_whitespaces=False,
        normalization_rule_name="identity",
        bos_id=1,
        eos_id=2,
        unk_id=0,
        pad_id=-1,
        character_coverage=1.0,
        minloglevel=2,
    )
    (d / "tokenizer_config.json").write_text(json.dumps(LLAMA_TOKENIZER_CONFIG))
    return AutoTokenizer.from_pretrained(str(d))


@pytest.fixture
def load_rows(tmp_path):
    """Write rows to a JSONL file and read them back through the one loader."""
    from data.sources import load_source

    def load(rows, name="train.jsonl"):
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        loaded = load_source(str(path))
        assert not loaded.problems, [str(p) for p in loaded.problems]
        return loaded.splits["train"]

    return load


def _tiny_model_dir(tmp_path_factory, tokenizer, kind: str, initializer_range: float = 0.02):
    """A randomly initialised model of `kind` with the offline tokenizer, saved like a Hub checkpoint."""
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig, MistralConfig

    shape = dict(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        initializer_range=initializer_range,
    )
    config = LlamaConfig(**shape) if kind == "llama" else MistralConfig(sliding_window=None, **shape)
    torch.manual_seed(0)
    d = tmp_path_factory.mktemp(f"tiny-{kind}")
    AutoModelForCausalLM.from_config(config).save_pretrained(d)
    tokenizer.save_pretrained(d)
    return d


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory, llama_tokenizer):
    return _tiny_model_dir(tmp_path_factory, llama_tokenizer, "llama")


@pytest.fixture(scope="session")
def tiny_mistral(tmp_path_factory, llama_tokenizer):
    return _tiny_model_dir(tmp_path_factory, llama_tokenizer, "mistral")


@pytest.fixture(scope="session")
def call_rows(tmp_path_factory):
    """A small fixed training set in the Trelis v2 layout: weather calls for 12 cities and text answers."""
    cities = ["Lisbon", "Paris", "Oslo", "Rome", "Lima", "Cairo", "Tokyo", "Quito", "Dakar", "Riga", "Bern", "Hanoi"]
    rows = [
        {
            "functionList": FUNCTION_LIST,
            "userPrompt": f"How warm is it in {c} today?",
            "assistantResponse": WEATHER_CALL.replace("Lisbon", c),
        }
        for c in cities
    ]
    rows += [
        {"functionList": FUNCTION_LIST, "userPrompt": f"Say hello number {i}.", "assistantResponse": "Hello!"}
        for i in range(4)
    ]
    path = tmp_path_factory.mktemp("rows") / "calls.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _wandb_records(path):
    """The records of an offline wandb run file: a ':W&B' header, then LevelDB-log blocks of
    32 KiB whose 7-byte chunk headers (crc32, length, type FULL/FIRST/MIDDLE/LAST) frame
    protobuf `Record`s."""
    from wandb.proto import wandb_internal_pb2

    data = Path(path).read_bytes()
    assert data[:4] == b":W&B"
    pos, block, record = 7, 32768, b""
    while pos + 7 <= len(data):
        left = block - pos % block
        crc, length, kind = struct.unpack("<IHB", data[pos : pos + 7]) if left >= 7 else (0, 0, 0)
        if kind == 0:  # block padding
            pos += left
            continue
        chunk = data[pos + 7 : pos + 7 + length]
        assert zlib.crc32(bytes([kind]) + chunk) == crc
        pos += 7 + length
        record = chunk if kind in (1, 2) else record + chunk
        if kind in (1, 4):
            parsed = wandb_internal_pb2.Record()
            parsed.ParseFromString(record)
            yield parsed


@pytest.fixture
def wandb_records():
    """Reads the records of an offline wandb run file (`run-ID.wandb`)."""
    return _wandb_records
