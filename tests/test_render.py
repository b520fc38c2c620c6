"""The v2 prompt contract, pinned with exact strings, and its chat-template twin."""

import pytest
from conftest import FUNCTION_LIST, SYSTEM_ROWS, SYSTEM_WITH_FUNCTIONS, V2_ROWS, V3_ROWS, WEATHER_CALL

from data.render import FAMILIES, chat_template, render, render_functions, to_messages

# Markers typed out here, not imported, so a change to the renderer cannot pass unnoticed.
MARKERS = {
    "llama2": ("[INST] ", " [/INST]"),
    "mistral": ("[INST] ", " [/INST]"),
    "zephyr": ("<|user|>\n", "</s>\n<|assistant|>\n"),
    "deepseek-coder": ("\n### Instruction:\n", "\n### Response:\n"),
    "chatml": ("<|im_start|>user\n", "<|im_end|>\n<|im_start|>assistant\n"),
}
USER = "How warm is it in Lisbon today?"


def test_llama2_prompt_with_system_written_out_in_full(load_rows):
    (ex,) = load_rows(V2_ROWS[:1])
    prompt, completion = render(ex, "llama2", system="  Answer with one call.  ")
    assert prompt == (
        '<FUNCTIONS>{\n    "function": "get_current_weather",\n'
        '    "description": "Look up the weather right now in one city.",\n'
        '    "arguments": [\n        {\n            "name": "city",\n            "type": "string",\n'
        '            "description": "Name of the city"\n        }\n    ]\n}\n\n'
        '{\n    "function": "search_bing",\n    "description": "Run a web search and return the top results.",\n'
        '    "arguments": [\n        {\n            "name": "query",\n            "type": "string",\n'
        '            "description": "What to search for"\n        }\n    ]\n}</FUNCTIONS>\n\n'
        "[INST] <<SYS>>\nAnswer with one call.\n<</SYS>>\n\nHow warm is it in Lisbon today? [/INST]\n\n"
    )
    assert (
        completion
        == '{\n    "function": "get_current_weather",\n    "arguments": {\n        "city": "Lisbon"\n    }\n}'
    )


def test_v2_function_list_renders_back_unchanged(load_rows):
    (ex,) = load_rows(V2_ROWS[:1])
    assert render_functions(ex.functions) == FUNCTION_LIST


@pytest.mark.parametrize("family", list(MARKERS))
@pytest.mark.parametrize("system", ["", "You are terse."])
@pytest.mark.parametrize("rows", [V2_ROWS, V3_ROWS], ids=["v2-metadata", "openai-tools"])
def test_exact_prompt_every_family_and_input_format(load_rows, family, system, rows):
    b_inst, e_inst = MARKERS[family]
    (ex, *_) = load_rows(rows)
    prompt, completion = render(ex, family, system)
    sys_block = f"<<SYS>>\n{system}\n<</SYS>>\n\n" if system else ""
    functions = FUNCTION_LIST if rows is V2_ROWS else FUNCTION_LIST.split("\n\n")[0]
    assert prompt == f"<FUNCTIONS>{functions}</FUNCTIONS>\n\n{b_inst}{sys_block}{USER}{e_inst}\n\n"
    assert completion == WEATHER_CALL  # a v3 {"name": ...} answer becomes the v2 {"function": ...} call


@pytest.mark.parametrize("family", list(MARKERS))
def test_functions_in_system_prompt_render_no_functions_block(load_rows, family):
    b_inst, e_inst = MARKERS[family]
    (ex,) = load_rows(SYSTEM_ROWS)
    assert [f.name for f in ex.functions] == ["get_current_weather", "search_bing"]
    prompt, completion = render(ex, family, system="ignored: the row has its own")
    assert prompt == f"{b_inst}<<SYS>>\n{SYSTEM_WITH_FUNCTIONS}\n<</SYS>>\n\n{USER}{e_inst}\n\n"
    assert completion == WEATHER_CALL


def test_text_answer_and_whitespace_are_stripped(load_rows):
    row = dict(V2_ROWS[1], userPrompt="  Say hello in French.\n", assistantResponse="Bonjour !\n")
    (ex,) = load_rows([row])
    prompt, completion = render(ex, "zephyr")
    assert prompt.endswith("<|user|>\nSay hello in French.</s>\n<|assistant|>\n\n\n")
    assert completion == "Bonjour !"


def test_several_calls_are_separated_by_a_blank_line(load_rows):
    two = WEATHER_CALL + "\n\n" + WEATHER_CALL.replace("Lisbon", "Porto")
    (ex,) = load_rows([dict(V2_ROWS[0], assistantResponse=two)])
    assert [c.arguments["city"] for c in ex.calls] == ["Lisbon", "Porto"]
    assert render(ex, "mistral")[1] == two


def _template_agrees(tokenizer, ex, family, bos, system=""):
    prompt, completion = render(ex, family, system)
    tokenizer.chat_template = chat_template(family, bos=bos)
    messages, tools = to_messages(ex, system)
    full = tokenizer.apply_chat_template(messages, tools=tools, tokenize=False)
    gen = tokenizer.apply_chat_template(messages[:-1], tools=tools, tokenize=False, add_generation_prompt=True)
    start = tokenizer.bos_token if bos else ""
    assert full == start + prompt + completion + tokenizer.eos_token
    assert gen == start + prompt


@pytest.mark.parametrize("family", list(MARKERS))
def test_chat_template_agrees_with_renderer_on_every_input_format(
    load_rows, smollm2_tokenizer, llama_tokenizer, family
):
    examples = load_rows(V2_ROWS) + load_rows(V3_ROWS) + load_rows(SYSTEM_ROWS)
    for ex in examples:
        for system in ("", "Be brief."):
            _template_agrees(smollm2_tokenizer, ex, family, bos=False, system=system)
            _template_agrees(llama_tokenizer, ex, family, bos=True, system=system)


@pytest.mark.parametrize("which", ["llama_tokenizer", "smollm2_tokenizer"])
def test_chat_template_tokens_equal_training_prompt_tokens(load_rows, request, which):
    from data.tokens import adds_bos, encode_prompts

    tokenizer = request.getfixturevalue(which)
    for ex in load_rows(V2_ROWS) + load_rows(SYSTEM_ROWS):
        tokenizer.chat_template = chat_template("llama2", bos=adds_bos(tokenizer))
        messages, tools = to_messages(ex, with_answer=False)
        ids = tokenizer.apply_chat_template(
            messages, tools=tools, add_generation_prompt=True, tokenize=True, return_dict=True
        )["input_ids"]
        assert ids == encode_prompts(tokenizer, [render(ex, "llama2")[0]])[0]
        assert (ids[0] == tokenizer.bos_token_id) == (which == "llama_tokenizer")


def test_chat_template_rejects_multi_turn(smollm2_tokenizer):
    smollm2_tokenizer.chat_template = chat_template("llama2", bos=False)
    turns = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]
    with pytest.raises(Exception, match="one assistant message"):
        smollm2_tokenizer.apply_chat_template(turns, tokenize=False)


# Random schemas, texts and answers: the template and the renderer must agree on all of them.
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from data.schema import Call, Example, Function, Param, json_problem  # noqa: E402

names = st.from_regex(r"[a-z][a-z0-9_.]{0,15}", fullmatch=True)
texts = st.text(min_size=0, max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def functions(draw):
    params = []
    for pname in draw(st.lists(names, max_size=4, unique=True)):
        schema = {
            "type": draw(st.sampled_from(["string", "integer", "number", "boolean", "array", "object", "any"])),
            "description": draw(texts),
        }
        if draw(st.booleans()):
            schema["enum"] = draw(st.lists(texts, min_size=1, max_size=3))
        if draw(st.booleans()):
            schema["default"] = draw(json_values)
        params.append(Param(pname, schema, required=draw(st.booleans())))
    return Function(draw(names), draw(texts), tuple(params))


@st.composite
def examples(draw):
    fns = draw(st.lists(functions(), min_size=1, max_size=3, unique_by=lambda f: f.name))
    calls = []
    if draw(st.booleans()):
        fn = draw(st.sampled_from(fns))
        calls = [Call(fn.name, {p.name: draw(json_values) for p in fn.params})] * draw(st.integers(1, 2))
    user = draw(texts.filter(str.strip))
    return Example(user=user, functions=fns, calls=calls, text="" if calls else draw(texts), system=draw(texts))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ex=examples(), family=st.sampled_from(list(MARKERS)), bos=st.booleans(), system=texts)
def test_chat_template_agrees_with_renderer_on_random_rows(smollm2_tokenizer, ex, family, bos, system):
    _template_agrees(smollm2_tokenizer, ex, family, bos=bos, system=system)


def test_blank_row_system_prompt_falls_back_to_the_default(load_rows, smollm2_tokenizer):
    (ex,) = load_rows(V2_ROWS[:1])
    ex.system = "   "
    assert "<<SYS>>\nBe brief.\n<</SYS>>\n\n" in render(ex, "llama2", system="Be brief.")[0]
    _template_agrees(smollm2_tokenizer, ex, "llama2", bos=False, system="Be brief.")


# The response template: what the model generates after the chat-template prompt (the training
# target's token ids, EOS included) parses back into the example's calls, or its text.


def _reads_back(tokenizer, ex, family):
    from data.tokens import encode_completions

    messages, tools = to_messages(ex, with_answer=False)
    prompt = tokenizer.apply_chat_template(
        messages, tools=tools, add_generation_prompt=True, tokenize=True, return_dict=True
    )["input_ids"]
    generated = encode_completions(tokenizer, [render(ex, family)[1]])[0]
    message = tokenizer.parse_response(generated, prefix=prompt)
    if ex.calls:
        assert message.keys() == {"role", "tool_calls"}
        assert [Call.from_obj(c) for c in message["tool_calls"]] == ex.calls
    else:
        assert message == {"role": "assistant", "content": ex.text.strip()}


@pytest.mark.parametrize("family", list(MARKERS))
@pytest.mark.parametrize("model", ["tiny_llama", "embedded"])
def test_saved_response_template_reads_back_builtin_answers(request, tmp_path, family, model):
    import json

    from transformers import AutoTokenizer

    from data.builtin import load_builtin
    from data.models import load_tokenizer
    from data.render import response_template

    name = str(request.getfixturevalue(model)) if model == "tiny_llama" else model
    load_tokenizer(name, family).save_pretrained(tmp_path)
    tokenizer = AutoTokenizer.from_pretrained(str(tmp_path))
    saved = json.loads((tmp_path / "tokenizer_config.json").read_text())["response_template"]
    assert saved == tokenizer.response_template == response_template(family, tokenizer.eos_token)
    rows = load_builtin()["test"][::12]
    assert {ex.kind for ex in rows} == {"call", "no_call", "ask"}
    for ex in rows:
        _reads_back(tokenizer, ex, family)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ex=examples(), family=st.sampled_from(list(MARKERS)))
def test_response_template_reads_back_random_answers(smollm2_tokenizer, ex, family):
    from data.render import response_template

    smollm2_tokenizer.chat_template = chat_template(family, bos=False)
    smollm2_tokenizer.response_template = response_template(family, smollm2_tokenizer.eos_token)
    ex.text = ex.text if ex.text.strip() else "No call fits."  # an empty answer is refused by the data stage
    assume(not json_problem([c.arguments for c in ex.calls]))  # Infinity: not JSON, refused by the data stage
    completion = render(ex, family)[1]
    # Characters the tokenizer cannot write (it has no bytes for some planes) are lost before any parsing.
    assume(smollm2_tokenizer.decode(smollm2_tokenizer(completion, add_special_tokens=False).input_ids) == completion)
    _reads_back(smollm2_tokenizer, ex, family)


@pytest.mark.parametrize(
    "answer, content, calls",
    [
        ("Run:\n```\nls -l\n```", "Run:\n```\nls -l\n```", 0),  # a text answer, its code block whole
        (f"```json\n{WEATHER_CALL}\n```", None, 1),  # the fence around a call is not text
        (f"Sure.\n\n{WEATHER_CALL}\n\n{WEATHER_CALL}\n\nAnything else?", "Sure.\n\nAnything else?", 2),
        (WEATHER_CALL[:-1], WEATHER_CALL[:-1].strip(), 0),  # a call cut short is text
    ],
)
def test_response_template_puts_the_text_around_calls_in_content(answer, content, calls):
    from transformers.utils.chat_parsing import parse_response

    from data.render import response_template

    for end in ("</s>", ""):  # ended by EOS as generated, or decoded without special tokens
        message = parse_response(answer + end, response_template("llama2", "</s>"), prefix="[/INST]\n\n")
        assert message.get("content") == content and len(message.get("tool_calls", [])) == calls


@pytest.mark.parametrize("family", FAMILIES)
def test_chat_template_uses_only_jinja_that_llama_cpp_reads(family):
    """llama.cpp's Jinja engine (docs/serving.md: run, and it renders the template exactly as
    transformers does) refuses `**` unpacking and has no `dict()`: neither may come back."""
    template = chat_template(family, bos=True)
    assert "**" not in template and "dict(" not in template
