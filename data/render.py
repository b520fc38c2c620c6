"""The Trelis v2 prompt format: the one renderer used by training, evaluation and inference.

    prompt     = B_FUNC + functions + E_FUNC + B_INST [+ B_SYS + system + E_SYS] + user + E_INST + "\\n\\n"
    completion = response (+ the tokenizer's EOS, appended at tokenization)

`functions` is each function's v2 metadata dumped with indent 4, separated by a blank
line; `response` is the v2 call {"function": ..., "arguments": {...}} dumped the same
way (several calls separated by a blank line) or plain text. `chat_template` emits the
same format as Jinja, so `tokenizer.apply_chat_template(messages, tools=...)` agrees.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from data.schema import Call, Example, Function

FORMAT_VERSION = "trelis-v2"

B_FUNC, E_FUNC = "<FUNCTIONS>", "</FUNCTIONS>\n\n"
B_SYS, E_SYS = "<<SYS>>\n", "\n<</SYS>>\n\n"
SEPARATOR = "\n\n"  # between functions, between calls, and after the instruction


@dataclass(frozen=True)
class Family:
    name: str
    b_inst: str
    e_inst: str


FAMILIES = {
    f.name: f
    for f in (
        Family("llama2", "[INST] ", " [/INST]"),
        Family("mistral", "[INST] ", " [/INST]"),
        Family("zephyr", "<|user|>\n", "</s>\n<|assistant|>\n"),
        Family("deepseek-coder", "\n### Instruction:\n", "\n### Response:\n"),
        # ChatML (SmolLM2, Qwen, Hermes): a model's own turn markers let its instruction tuning carry over.
        Family("chatml", "<|im_start|>user\n", "<|im_end|>\n<|im_start|>assistant\n"),
    )
}


def get_family(name: str) -> Family:
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown family {name!r}; choose one of: {', '.join(FAMILIES)}") from None


def _dump(obj) -> str:
    return json.dumps(obj, indent=4, ensure_ascii=False)


def render_functions(functions: list[Function]) -> str:
    return SEPARATOR.join(_dump(f.to_v2()) for f in functions)


def render_calls(calls: list[Call]) -> str:
    return SEPARATOR.join(_dump(c.to_v2()) for c in calls)


def render_response(ex: Example) -> str:
    return render_calls(ex.calls) if ex.calls else ex.text.strip()


def system_prompt(ex: Example, default: str = "") -> str:
    """The row's own system prompt, else the default one."""
    return ex.system.strip() or default.strip()


def render_prompt(ex: Example, family: str, system: str = "") -> str:
    """The prompt up to where the model starts answering. `system` is used when the row has none."""
    fam = get_family(family)
    out = ""
    if ex.functions and not ex.functions_in_system:
        out += B_FUNC + render_functions(ex.functions).strip() + E_FUNC
    out += fam.b_inst
    system = system_prompt(ex, system)
    if system:
        out += B_SYS + system + E_SYS
    return out + ex.user.strip() + fam.e_inst + SEPARATOR


def render(ex: Example, family: str, system: str = "") -> tuple[str, str]:
    return render_prompt(ex, family, system), render_response(ex)


# Jinja twin of render_prompt/render_response. Markers are filled in from FAMILIES, so the
# two cannot drift apart; tests/test_render.py proves they agree on every input format.
_TEMPLATE = """\
{%- if messages[0].role == 'system' -%}
{%- set system = messages[0].content | trim -%}{%- set turns = messages[1:] -%}
{%- else -%}
{%- set system = '' -%}{%- set turns = messages -%}
{%- endif -%}
{%- if turns | length == 0 or turns[0].role != 'user' or turns | length > 2
      or (turns | length == 2 and turns[1].role != 'assistant') -%}
{{- raise_exception('the Trelis v2 format takes [system], user and optionally one assistant message') -}}
{%- endif -%}
{%- macro field(key, value) -%}
{{- ',\\n            ' + key | tojson + ': ' + value | tojson(indent=4) | replace('\\n', '\\n            ') -}}
{%- endmacro -%}
@@BOS@@
{%- if tools -%}
{{- @@B_FUNC@@ -}}
{%- for tool in tools -%}
{%- set f = tool.function if tool.function is defined else tool -%}
{%- set params = f.parameters if f.parameters is defined and f.parameters else {} -%}
{%- set required = params.required if params.required is defined and params.required else [] -%}
{%- set props = params.properties if params.properties is defined and params.properties else {} -%}
{%- if not loop.first %}{{ @@SEP@@ }}{% endif -%}
{{- '{\\n    "function": ' + f.name | tojson + ',\\n    "description": '
    + (f.description if f.description is string else '') | tojson + ',\\n    "arguments": [' -}}
{%- for name, p in props.items() -%}
{{- (',' if not loop.first else '') + '\\n        {\\n            "name": ' + name | tojson -}}
{{- field('type', p.type if p.type is defined and p.type is not none else 'any') -}}
{{- field('description', p.description if p.description is string else '') -}}
{%- for key, value in p.items() if key not in ['type', 'description', 'optional'] -%}
{{- field(key, value) -}}
{%- endfor -%}
{%- if name not in required -%}{{- field('optional', true) -}}{%- endif -%}
{{- '\\n        }' -}}
{%- endfor -%}
{{- ('\\n    ]' if props else ']') + '\\n}' -}}
{%- endfor -%}
{{- @@E_FUNC@@ -}}
{%- endif -%}
{{- @@B_INST@@ -}}
{%- if system -%}{{- @@B_SYS@@ + system + @@E_SYS@@ -}}{%- endif -%}
{{- turns[0].content | trim + @@E_INST@@ + @@SEP@@ -}}
{%- if turns | length == 2 -%}
{%- set answer = turns[1] -%}
{%- if answer.tool_calls is defined and answer.tool_calls -%}
{%- for call in answer.tool_calls -%}
{%- set c = call.function if call.function is defined else call -%}
{%- if not loop.first %}{{ @@SEP@@ }}{% endif -%}
{{- {'function': c.name, 'arguments': c.arguments} | tojson(indent=4) -}}
{%- endfor -%}
{%- else -%}
{{- answer.content | trim -}}
{%- endif -%}
{{- eos_token -}}
{%- endif -%}
"""


def chat_template(family: str, bos: bool) -> str:
    """The v2 format as a chat template. `bos`: start with `bos_token`, for tokenizers that
    add one (Llama, Mistral), because apply_chat_template tokenizes without special tokens."""
    fam = get_family(family)
    fills = {
        "B_FUNC": B_FUNC,
        "E_FUNC": E_FUNC,
        "B_SYS": B_SYS,
        "E_SYS": E_SYS,
        "B_INST": fam.b_inst,
        "E_INST": fam.e_inst,
        "SEP": SEPARATOR,
    }
    out = _TEMPLATE.replace("@@BOS@@", "{{- bos_token -}}" if bos else "")
    for key, value in fills.items():
        out = out.replace(f"@@{key}@@", json.dumps(value))
    return out


def to_messages(ex: Example, system: str = "", with_answer: bool = True) -> tuple[list[dict], list[dict] | None]:
    """The example as chat messages and tools, for `apply_chat_template`.

    Tool-call arguments are objects (the transformers convention); the template cannot
    decode arguments given as a JSON string."""
    messages = []
    system = system_prompt(ex, system)
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": ex.user})
    if with_answer:
        if ex.calls:
            calls = [{"type": "function", "function": {"name": c.name, "arguments": c.arguments}} for c in ex.calls]
            messages.append({"role": "assistant", "tool_calls": calls})
        else:
            messages.append({"role": "assistant", "content": ex.text})
    tools = None if ex.functions_in_system or not ex.functions else [f.to_openai() for f in ex.functions]
    return messages, tools


# The response template: the other half of the format, read by `tokenizer.parse_response` and
# `transformers serve` (a declarative spec of regexes, saved in tokenizer_config.json). A call
# region opens where a complete v2 call object starts and closes right after it. The `regex`
# module's recursion matches the whole JSON grammar, so a nested `}` in the arguments never
# closes a call early, and only valid JSON ever reaches the template's JSON parser (which
# raises on anything else). Atomic groups: JSON needs no backtracking, so none is allowed.
_WS = r"[ \t\n\r]*+"  # JSON's own whitespace; \s would also skip characters json.loads refuses
_JSON_GRAMMAR = (
    r"(?(DEFINE)"
    # \u escapes of UTF-16 surrogates only in pairs: a lone one decodes to text that is not Unicode
    r'(?<json_string>"(?>[^"\\\x00-\x1f]++|\\["\\/bfnrt]|\\u(?![dD][89a-fA-F])[0-9a-fA-F]{4}'
    r'|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})*+")'
    # at most 4,300 digits before the point: Python refuses to convert longer integers
    r"(?<json_number>-?+(?>0|[1-9][0-9]{0,4299}+(?![0-9]))(?>\.[0-9]++)?+(?>[eE][+-]?+[0-9]++)?+)"
    rf"(?<json_object>\{{{_WS}(?>(?&json_string){_WS}:{_WS}(?&json_value){_WS}"
    rf"(?>,{_WS}(?&json_string){_WS}:{_WS}(?&json_value){_WS})*+)?+\}})"
    rf"(?<json_array>\[{_WS}(?>(?&json_value){_WS}(?>,{_WS}(?&json_value){_WS})*+)?+\])"
    r"(?<json_value>(?>(?&json_string)|(?&json_number)|(?&json_object)|(?&json_array)|true|false|null))"
    r")"
)
# A name that is not blank, as the parser requires: not only spaces or escaped whitespace.
_BLANK_NAME = r'"(?>\s|\\[tnrf]|\\u00(?:0[9a-dA-D]|1[c-fC-F]|20|85|[aA]0))*+"'
_V2_CALL = (
    rf'\{{{_WS}"function"{_WS}:{_WS}(?!{_BLANK_NAME})(?&json_string){_WS},{_WS}"arguments"{_WS}:{_WS}'
    rf"(?&json_object){_WS}\}}"
)
_FENCE = r"```"


def response_template(family: str, eos_token: str) -> dict:
    """The v2 output as a `response_template`: each v2 call -> `tool_calls`, the text around them -> `content`.

    A call region opens (zero-width) where a complete call starts, after any whitespace and
    an opening ``` fence, and closes before the next character that is not whitespace: the
    streaming parser holds back a close that ends where the generated text ends so far, and
    would then lose the call's start. Everything that is not a v2 call object (broken JSON,
    other JSON, v3/OpenAI keys) stays in `content`. `eos_token` ends the answer."""
    anchor = get_family(family).e_inst.strip().splitlines()[-1]  # the prompt's last marker
    return {
        "start_anchor_pattern": re.escape(anchor) + _WS,
        "defaults": {"role": "assistant"},
        "fields": {
            "tool_calls": {
                "open_pattern": _JSON_GRAMMAR + rf"{_WS}(?:{_FENCE}\w*{_WS})?(?={_V2_CALL})",
                "close_pattern": _JSON_GRAMMAR + rf"\G{_V2_CALL}{_WS}(?=[^ \t\n\r])\K",
                "repeats": True,
                "content": "json",
                "transform": {
                    "type": "function",
                    "function": {"name": "{content.function}", "arguments": "{content.arguments}"},
                },
            },
            "content": {
                # The fence closing a call at the end goes too; one closing a code block stays.
                "close_pattern": rf"\s*(?:(?<=\}}{_WS}){_FENCE}\s*)?(?:{re.escape(eos_token)}|\Z)",
                "content": "text",
                "repeats": True,
                "join": SEPARATOR,
            },
        },
    }
