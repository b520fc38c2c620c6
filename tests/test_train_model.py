"""Model loading: the embedded GGUF converted to a plain checkpoint; tokenizers ready for training."""

import json

import pytest
import torch

from data.render import chat_template


@pytest.mark.slow
def test_embedded_checkpoint_matches_the_gguf_model(tmp_path, monkeypatch):
    from transformers import AutoModelForCausalLM

    from data.models import embedded_checkpoint, gguf_path, resolve_model_path

    monkeypatch.setenv("FCTUNE_CACHE", str(tmp_path))
    path = embedded_checkpoint()
    assert resolve_model_path("embedded") == str(path) and path.parent == tmp_path
    assert "quantization_config" not in json.loads((path / "config.json").read_text())  # a plain checkpoint
    converted = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32)
    assert type(converted.model.layers[0].mlp.up_proj) is torch.nn.Linear
    gguf = gguf_path()
    original = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    ids = torch.tensor([[1, 504, 3458, 28, 253, 1345, 30]])
    with torch.no_grad():
        torch.testing.assert_close(converted(ids).logits, original(ids).logits, atol=1e-4, rtol=1e-4)
    assert embedded_checkpoint() == path  # converted once


def test_tokenizer_pad_is_not_eos_and_template_is_v2(tiny_llama, tmp_path):
    from data.models import load_tokenizer

    llama = load_tokenizer(str(tiny_llama), "mistral")
    assert llama.pad_token == "<unk>" and llama.pad_token_id != llama.eos_token_id
    assert llama.chat_template == chat_template("mistral", bos=True)
