"""Completion-only masking and the prompt/completion token boundary, on a SentencePiece
(Llama-style) and a byte-level BPE (SmolLM2) tokenizer."""

import pytest
from conftest import V2_ROWS

from data.render import chat_template, render, to_messages
from data.tokens import adds_bos, encode_completions, encode_prompts, tokenize_pairs

TOKENIZERS = ["llama_tokenizer", "smollm2_tokenizer"]
COMPLETIONS = [
    '{\n    "function": "get_current_weather",\n    "arguments": {\n        "city": "Paris"\n    }\n}',
    "Which city would you like the weather for?",
    "42 is the answer.",
    "Ça marche : « bonjour » 👋",
]


@pytest.fixture(params=TOKENIZERS)
def tokenizer(request):
    return request.getfixturevalue(request.param)


def test_completion_tokens_decode_to_exactly_the_completion(tokenizer):
    for text, ids in zip(COMPLETIONS, encode_completions(tokenizer, COMPLETIONS)):
        assert ids[-1] == tokenizer.eos_token_id
        assert tokenizer.decode(ids[:-1]) == text


def test_sentencepiece_prefix_space_is_not_trained_on(llama_tokenizer):
    text = COMPLETIONS[0]
    naive = llama_tokenizer(text, add_special_tokens=False).input_ids
    ours = encode_completions(llama_tokenizer, [text])[0][:-1]
    # On its own the string gets SentencePiece's prefix space; after the prompt's newline it never would.
    assert llama_tokenizer.convert_ids_to_tokens(naive)[0].startswith("▁")
    assert not llama_tokenizer.convert_ids_to_tokens(ours)[0].startswith("▁")


def test_bpe_prompt_tokens_are_the_inference_tokens_not_the_joint_ones(smollm2_tokenizer, load_rows):
    (ex,) = load_rows(V2_ROWS[:1])
    prompt, completion = render(ex, "llama2")
    batch = tokenize_pairs(smollm2_tokenizer, [prompt], [completion])
    n_prompt = batch["completion_mask"][0].index(1)
    smollm2_tokenizer.chat_template = chat_template("llama2", bos=False)
    messages, tools = to_messages(ex, with_answer=False)
    at_inference = smollm2_tokenizer.apply_chat_template(
        messages, tools=tools, add_generation_prompt=True, return_dict=True
    )["input_ids"]
    assert batch["input_ids"][0][:n_prompt] == at_inference
    # Tokenising prompt and completion together would merge the trailing "\n\n" differently,
    # training on a prompt the model never sees at inference.
    joint = smollm2_tokenizer(prompt + completion).input_ids
    assert joint[:n_prompt] != at_inference


def test_mask_covers_the_completion_and_eos_only(tokenizer, load_rows):
    examples = load_rows(V2_ROWS)
    prompts, completions = zip(*(render(ex, "mistral", "Be brief.") for ex in examples))
    batch = tokenize_pairs(tokenizer, list(prompts), list(completions))
    rows = zip(
        batch["input_ids"],
        batch["completion_mask"],
        encode_prompts(tokenizer, list(prompts)),
        encode_completions(tokenizer, list(completions)),
        completions,
    )
    for ids, mask, p_ids, c_ids, completion in rows:
        assert ids == p_ids + c_ids
        assert mask == [0] * len(p_ids) + [1] * len(c_ids)
        assert tokenizer.decode([i for i, m in zip(ids, mask) if m], skip_special_tokens=True) == completion
    assert (batch["input_ids"][0][0] == tokenizer.bos_token_id) == adds_bos(tokenizer)


def test_truncation_keeps_ids_and_mask_aligned(smollm2_tokenizer, load_rows):
    (ex,) = load_rows(V2_ROWS[:1])
    prompt, completion = render(ex, "llama2")
    full = tokenize_pairs(smollm2_tokenizer, [prompt], [completion])
    n = len(full["input_ids"][0])
    cut = tokenize_pairs(smollm2_tokenizer, [prompt], [completion], max_length=n - 5)
    assert cut["input_ids"][0] == full["input_ids"][0][: n - 5]
    assert cut["completion_mask"][0] == full["completion_mask"][0][: n - 5]


def test_completion_falls_back_when_the_anchor_merges_with_the_text():
    """A vocabulary with a "\\n{" token swallows the anchor; the completion is then encoded alone."""
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    pieces = ["<eos>", "\n", "{", "}", "a", "\n{"]
    bpe = models.BPE(vocab={p: i for i, p in enumerate(pieces)}, merges=[("\n", "{")])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(bpe), eos_token="<eos>")
    assert tokenizer("\n{a}", add_special_tokens=False).input_ids[0] == pieces.index("\n{")
    (ids,) = encode_completions(tokenizer, ["{a}"])
    assert ids == [pieces.index("{"), pieces.index("a"), pieces.index("}"), pieces.index("<eos>")]
