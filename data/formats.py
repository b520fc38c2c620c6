"""Function-calling datasets in the layouts they are published in, read into the one
representation (data/schema.py) so that the one renderer makes Trelis v2 rows of them.

    format    columns                               calls                          functions
    trelis    functionList, userPrompt, ...         assistantResponse              functionList / systemPrompt
    openai    messages [, tools]                    assistant tool_calls           tools
    sharegpt  conversations [, tools, system]       function_call turns            tools
    hermes    conversations or messages [, tools]   <tool_call> tags               <tools> in the system turn
    xlam      query, answers, tools                 answers                        tools (Python annotations)
    glaive    system, chat                          ASSISTANT: <functioncall> ...  the system text

The format is told from the columns (Hermes from its tags) or named with --format. Trelis
rows are read by data.sources.normalise_rows; every other format ends in the same Examples
and the same row checks, a bad row named by file, row and field path (lists indexed from
0, as in Python and jq). Call arguments may be objects or JSON text, and Hermes' tags may
hold Python literals (read with ast.literal_eval, which evaluates literals only).

Arrow (Parquet files, Hub datasets) merges nested objects across rows (data/arrow.py):
objects whose keys are data -- call arguments, parameter schemas -- must arrive as JSON
text or as `datasets`' Json type; the fixed-vocabulary objects around them (messages,
tool calls, tool definitions) are read by key, a null meaning absent.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from tqdm import tqdm

from data.arrow import holds_struct
from data.cells import json_values, parse_function, reads_as_calls
from data.common import FctuneError
from data.pytypes import annotation_schema, json_schema
from data.schema import Call, Example, Function, SchemaError, loads_json
from data.sources import Columns, Table, normalise_rows, require_columns
from data.validate import Problem, check_example

FORMATS = ("trelis", "openai", "sharegpt", "hermes", "xlam", "glaive")
CONVERSATIONS = ("openai", "sharegpt", "hermes", "glaive")
DETECT_ROWS = 1000  # rows looked at to tell Hermes, ShareGPT and OpenAI conversations apart

# Why a turn of a conversation is not a row. v2 is one instruction and one answer.
TOOL_RESULT = "tool result"
AFTER_TOOL = "answer after a tool result"
CALL_AFTER_TOOL = "call after a tool result"
SECOND_ANSWER = "second answer to one user message"
NO_USER = "answer before any user message"
TEXT_AS_CALL = "text answer that v2 would read as a call"
TEXT_BESIDE_CALLS = "text beside calls (the calls are kept)"
FUNCTIONS_TURN = "system turn listing the functions (they go in <FUNCTIONS>)"

CONVERSATION_RULES = (
    "Conversations (openai, sharegpt, hermes, glaive) become one row per assistant turn that answers a user "
    "message directly, with calls (all of a turn's calls, in order) or with text: the row's user text is that "
    "message, its system prompt the latest system message before it; earlier turns are not shown. Left out, "
    "and counted per reason in the manifest (left_out_turns): tool results; any turn after a tool result (v2 "
    "cannot show the result, and training on it would teach answering without calling); a second answer to "
    "the same user message; an answer before any user message; a text answer that starts like a JSON call; "
    "the text beside a turn's calls (the calls are kept); a system turn that lists the functions (Hermes, "
    "Glaive: its functions go in <FUNCTIONS>, its instructions are not rendered)."
)

MERGED = (
    "holds a nested object, which Arrow (Parquet, the Hub) stores with the keys of every row merged and "
    "reordered, so a null cannot be told from an added key; store it as JSON text or as datasets' Json type"
)

_CONTAINERS = {
    "openai": ("messages", "conversations"),
    "sharegpt": ("conversations", "messages"),
    "hermes": ("conversations", "messages"),
}
_REQUIRED = {"xlam": ("query", "answers"), "glaive": ("chat",)}
_ROLES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "tool": "tool",
    "function": "tool",
    "observation": "tool",
    "ipython": "tool",
    "function_call": "call",
}
_TOOL_CALL = re.compile(r"<tool_call>(.*?)</tool_call>", re.S)
_TOOLS = re.compile(r"<tools>(.*?)</tools>", re.S)
_GLAIVE_TURN = re.compile(r"^(USER|ASSISTANT|FUNCTION RESPONSE):[ \t]?", re.M)
_GLAIVE_ROLES = {"USER": "user", "ASSISTANT": "assistant", "FUNCTION RESPONSE": "tool"}
# Glaive writes the arguments of a call as a JSON text in single quotes: {"name": "f", "arguments": '{"a": 1}'}.
_GLAIVE_CALL = re.compile(r'\{\s*"name"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"arguments"\s*:\s*\'(.*)\'\s*\}', re.S)
_END = "<|endoftext|>"


@dataclass
class Read:
    format: str
    examples: list[Example]
    problems: list[Problem]
    left_out: Counter | None = None  # turns left out per reason; None for the trelis format
    valid_rows: int = 0  # source rows read without a problem (a conversation gives several examples)


def read_split(table: Table, where: str, columns: Columns, fmt: str | None, id_prefix: str) -> Read:
    """One file or split in its format (told from the columns when `fmt` is None) as examples."""
    fmt = detect(table, where, fmt, trelis_columns=columns != Columns())
    if fmt == "trelis":
        return Read(fmt, *normalise_rows(table, where, columns, id_prefix))
    reader = _reader(fmt, table, where)
    read = Read(fmt, [], [], Counter())
    for i, row in enumerate(tqdm(table.rows, desc=f"reading {Path(where).name}", unit="row", leave=False)):
        found, left = [], Counter()
        answers = _answers(reader(row, found), found, left)
        if found:
            read.problems.extend(Problem(where, i + 1, f, reason) for f, reason in dict.fromkeys(found))
            continue
        read.left_out.update(left)
        read.valid_rows += 1
        for k, (ex, turn) in enumerate(answers, 1):
            ex.meta = {"id": f"{id_prefix}-{i + 1}", "row": i + 1}
            if fmt in CONVERSATIONS:  # which turn of the conversation the row is
                ex.meta.update(id=f"{id_prefix}-{i + 1}.{k}", turn=turn)
            read.examples.append(ex)
    return read


def check_columns(present: list[str], columns: Columns, fmt: str | None, where: str) -> None:
    """Fails from the column names alone (a CSV header, a Parquet schema), before any row is read,
    when the format named, or every format, cannot read them."""
    header = Table(present, [], exact_nested=True)  # the columns tell the formats apart; rows only refine
    found = detect(header, where, fmt, trelis_columns=columns != Columns())
    if found == "trelis":
        require_columns(present, columns, where)
    else:
        _reader(found, header, where)


def detect(table: Table, where: str, fmt: str | None, trelis_columns: bool = False) -> str:
    """The format named, else the one the columns (and for conversations, the turns) show."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise FctuneError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        if trelis_columns and fmt != "trelis":
            raise FctuneError(f"--column names Trelis columns; the {fmt} format has its own")
        return fmt
    present = set(table.columns)
    if trelis_columns or {Columns.user, Columns.response} <= present:
        return "trelis"
    for name, required in _REQUIRED.items():
        if set(required) <= present:
            return name
    container = next((c for c in ("messages", "conversations") if c in present), None)
    if container is None:
        return "trelis"  # whose reader names the missing columns
    seen = set()
    for row in islice(table.rows, DETECT_ROWS):
        seen |= _markers(row.get(container))
    if len(seen) > 1:
        raise FctuneError(
            f"{where}: the {container} hold tool calls of the {' and '.join(sorted(seen))} formats; "
            f"name one with --format"
        )
    return seen.pop() if seen else ("openai" if container == "messages" else "sharegpt")


def _markers(cell) -> set[str]:
    """The formats whose kind of tool call (or tool list) the turns of one row show."""
    if isinstance(cell, str):
        try:
            cell = loads_json(cell)
        except SchemaError:
            return set()
    found = set()
    for turn in cell if isinstance(cell, list) else []:
        if not isinstance(turn, dict):
            continue
        role = turn.get("role") if turn.get("role") is not None else turn.get("from")
        text = turn.get("content") if turn.get("content") is not None else turn.get("value")
        if role in ("function_call", "observation") or isinstance(text, str) and "<functioncall>" in text:
            found.add("sharegpt")
        if turn.get("tool_calls") or turn.get("function_call"):
            found.add("openai")
        if isinstance(text, str) and ("<tool_call>" in text or role == "system" and "<tools>" in text):
            found.add("hermes")
    return found


def left_out_summary(counts: dict) -> str:
    """One line for the user: how many turns of the conversations were left out, and why."""
    total = sum(counts.values())
    if not total:
        return ""
    reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"left out {total} conversation turn(s) (a v2 row is one instruction and one answer): {reasons}"


# -- what every reader gives: the functions and the turns of one row -----------------------------


class _Fail(Exception):
    """A field that cannot be read; becomes the row's Problem at that field."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


class _FunctionsFail(_Fail):
    """Function metadata that cannot be read, so calls cannot be checked against it either."""


@dataclass
class _Turn:
    role: str  # system, user, assistant or tool
    field: str  # its place in the row, e.g. messages[2]
    text: str = ""
    calls: list[Call] = field(default_factory=list)
    functions: list[Function] | None = None  # a system turn that lists the functions (Hermes, Glaive)


@dataclass
class _Conversation:
    turns_field: str  # the column holding the turns
    turns: list[_Turn] = field(default_factory=list)
    functions: list[Function] | None = field(default_factory=list)  # None: unreadable
    functions_field: str = "tools"
    functions_from_turns: bool = False  # a system turn lists them (Hermes without a tools column, Glaive)
    system: str = ""
    system_field: str = "system"


def _reader(fmt: str, table: Table, where: str):
    """The row reader of `fmt`, once the columns it needs are known to be there."""
    if fmt in _CONTAINERS:
        container = next((c for c in _CONTAINERS[fmt] if c in table.columns), None)
        if container is None:
            raise FctuneError(
                f"{where}: the {fmt} format needs a {' or '.join(map(repr, _CONTAINERS[fmt]))} column "
                f"(columns: {', '.join(table.columns)})"
            )
        return lambda row, found: _read_chat(row, found, fmt, container)
    for name in _REQUIRED[fmt]:
        if name not in table.columns:
            raise FctuneError(
                f"{where}: the {fmt} format needs a {name!r} column (columns: {', '.join(table.columns)})"
            )
    return _read_xlam if fmt == "xlam" else _read_glaive


def _answers(conv: _Conversation, found: list, left: Counter) -> list[tuple[Example, str]]:
    """The conversation rules (CONVERSATION_RULES): each direct answer to a user message, checked,
    with the field of its turn."""
    functions, functions_field = conv.functions, conv.functions_field
    system, system_field = conv.system, conv.system_field
    user, after_tool, answered, out = None, False, False, []
    if not any(t.role == "assistant" for t in conv.turns) and not found:
        found.append((conv.turns_field, "no assistant turn to learn from"))
    for turn in conv.turns:
        if turn.role == "system":
            if turn.functions is not None:
                left[FUNCTIONS_TURN] += 1
                if conv.functions_from_turns:
                    functions, functions_field = turn.functions, turn.field
            else:
                system, system_field = turn.text, turn.field
            continue
        if turn.role == "user":
            user, after_tool, answered = turn, False, False
            continue
        if turn.role == "tool":
            left[TOOL_RESULT] += 1
            after_tool = True
            continue
        if user is None:
            reason = NO_USER
        elif after_tool:
            reason = CALL_AFTER_TOOL if turn.calls else AFTER_TOOL
        elif answered:
            reason = SECOND_ANSWER
        elif not turn.calls and reads_as_calls(turn.text):
            reason = TEXT_AS_CALL
        else:
            reason = None
        answered = True
        if reason:
            left[reason] += 1
            continue
        if turn.calls and turn.text.strip():
            left[TEXT_BESIDE_CALLS] += 1
        ex = Example(
            user=user.text,
            functions=functions or [],
            calls=turn.calls,
            text="" if turn.calls else turn.text.strip(),
            system=system,
        )
        if not ex.calls and not ex.text:
            found.append((turn.field, "empty answer"))
        names = {"user": user.field, "functions": functions_field, "system": system_field, "response": turn.field}
        for name, reason in check_example(ex):
            if functions is not None or name != "response":  # calls cannot be checked against unreadable metadata
                found.append((names.get(name, name), reason))
        out.append((ex, turn.field))
    return out


# -- the readers -----------------------------------------------------------------------------------


def _read_chat(row: dict, found: list, fmt: str, container: str) -> _Conversation:
    """OpenAI/TRL messages, ShareGPT or Hermes conversations: one list of turns, roles by name."""
    conv = _Conversation(container)
    if fmt == "hermes" and row.get("tools") is None:
        conv.functions_from_turns = True  # from the <tools> of a system turn
    else:
        conv.functions = _functions(row, "tools", found)
    if fmt == "sharegpt" and row.get("system") is not None:
        conv.system = _text(row.get("system"), "system", found)
    try:
        turns = _list(row.get(container), container)
    except _Fail as e:
        found.append((e.field, e.reason))
        return conv
    for i, cell in enumerate(turns):
        where = f"{container}[{i}]"
        try:
            conv.turns.append(_turn(_object(cell, where), where, fmt))
        except _Fail as e:
            found.append((e.field, e.reason))
            if isinstance(e, _FunctionsFail):
                conv.functions = None
    if not turns:
        found.append((container, "empty conversation"))
    return conv


def _turn(message: dict, where: str, fmt: str) -> _Turn:
    role_key, text_key = ("role", "content") if message.get("role") is not None else ("from", "value")
    name = message.get(role_key)
    role = _ROLES.get(name) if isinstance(name, str) else None
    if role is None:
        raise _Fail(f"{where}.{role_key}", f"unknown role {name!r} (known: {', '.join(_ROLES)})")
    text_field = f"{where}.{text_key}"
    text = _content(message.get(text_key), text_field)
    if role == "call":  # ShareGPT's function_call turn: the call(s) as JSON
        return _Turn("assistant", where, calls=_calls(_json(text, text_field), text_field))
    if role == "system" and fmt == "hermes" and _TOOLS.search(text):
        return _Turn("system", where, functions=_hermes_tools(text, text_field))
    if role != "assistant":
        return _Turn(role, where, text)
    if fmt == "hermes":
        calls, text = _hermes_calls(text, text_field)
        return _Turn("assistant", where, text, calls)
    if "<tool_call>" in text:
        raise _Fail(
            text_field,
            "a text answer holding <tool_call> tags: these are Hermes calls; name the format with --format hermes",
        )
    calls = []
    if fmt == "openai":
        if message.get("tool_calls") is not None:
            tool_calls = _list(message["tool_calls"], f"{where}.tool_calls")
            calls = [_call(c, f"{where}.tool_calls[{j}]") for j, c in enumerate(tool_calls)]
        if message.get("function_call") is not None:  # the older OpenAI form, one call
            calls.append(_call(message["function_call"], f"{where}.function_call"))
    elif "<functioncall>" in text:  # Glaive's transcripts, converted to ShareGPT turns
        text, calls = _glaive_call(text, text_field)
    return _Turn("assistant", where, text, calls)


def _read_xlam(row: dict, found: list) -> _Conversation:
    conv = _Conversation("answers", functions=_functions(row, "tools", found, xlam=True))
    conv.turns.append(_Turn("user", "query", _text(row.get("query"), "query", found)))
    try:
        conv.turns.append(_Turn("assistant", "answers", calls=_calls(_free(row.get("answers"), "answers"), "answers")))
    except _Fail as e:
        found.append((e.field, e.reason))
    return conv


def _read_glaive(row: dict, found: list) -> _Conversation:
    """Glaive's transcripts: "SYSTEM: ... functions as JSON" and "USER: ... ASSISTANT: ..." text."""
    conv = _Conversation("chat", functions_field="system", functions_from_turns=True)
    system = _text(row.get("system"), "system", found).strip().removeprefix("SYSTEM:").strip()
    if "{" in system:  # an instruction, then the functions as JSON objects
        try:
            functions = [_function(v, "system") for v in json_values(system[system.index("{") :])]
            conv.turns.append(_Turn("system", "system", functions=functions))
        except (_Fail, SchemaError) as e:
            found.append(("system", f"unparsable function metadata: {getattr(e, 'reason', e)}"))
            conv.functions = None
    else:
        conv.system = system
    chat = _text(row.get("chat"), "chat", found)
    parts = _GLAIVE_TURN.split(chat)
    if parts[0].strip():
        found.append(("chat", "text before the first USER:, ASSISTANT: or FUNCTION RESPONSE: marker"))
    for k, (marker, text) in enumerate(zip(parts[1::2], parts[2::2])):
        where, role = f"chat[{k}]", _GLAIVE_ROLES[marker]
        text = text.strip().removesuffix(_END).strip()
        try:
            calls = []
            if role == "assistant" and "<functioncall>" in text:
                text, calls = _glaive_call(text, where)
            conv.turns.append(_Turn(role, where, text, calls))
        except _Fail as e:
            found.append((e.field, e.reason))
    if len(parts) == 1 and not found:
        found.append(("chat", "no USER: or ASSISTANT: turn"))
    return conv


# -- cells ------------------------------------------------------------------------------------------


def _json(text: str, where: str):
    try:
        return loads_json(text)
    except SchemaError as e:
        raise _Fail(where, str(e)) from None


def _object(value, where: str) -> dict:
    """An object of a fixed vocabulary (a message, a tool call, a tool), given as JSON text or decoded."""
    value = _json(value, where) if isinstance(value, str) else value
    if not isinstance(value, dict):
        raise _Fail(where, f"expected an object, got {type(value).__name__}")
    return value


def _list(value, where: str) -> list:
    value = _json(value, where) if isinstance(value, str) else value
    if not isinstance(value, list):
        raise _Fail(where, f"expected a list, got {type(value).__name__}")
    return value


def _free(value, where: str):
    """A value whose keys are data (arguments, parameter schemas): JSON text, or decoded but not merged by Arrow."""
    if isinstance(value, str):
        return _json(value, where)
    if holds_struct(value):
        raise _Fail(where, MERGED)
    return value


def _text(value, where: str, found: list) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    found.append((where, f"expected text, got {type(value).__name__}"))
    return ""


def _content(value, where: str) -> str:
    """A turn's text: a string, or OpenAI's list of text parts (joined by newlines)."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in value):
        return "\n".join(_content(p.get("text"), f"{where}[{j}].text") for j, p in enumerate(value))
    raise _Fail(where, f"expected text or text parts, got {type(value).__name__} {value!r:.60}")


def _call(obj, where: str) -> Call:
    """A call as OpenAI ({"function": {"name", "arguments"}}), xLAM or Hermes ({"name", "arguments"}) write it."""
    obj = _object(obj, where)
    if obj.get("function") is not None and not isinstance(obj["function"], str):
        obj, where = _object(obj["function"], f"{where}.function"), f"{where}.function"
    name = obj.get("name") if obj.get("name") is not None else obj.get("function")  # v2 writes "function"
    arguments = obj.get("arguments") if obj.get("arguments") is not None else obj.get("parameters")
    try:
        return Call.from_obj({"name": name, "arguments": _free(arguments, f"{where}.arguments")})
    except SchemaError as e:
        raise _Fail(where, f"unparsable call: {e}") from None


def _calls(value, where: str) -> list[Call]:
    values = value if isinstance(value, list) else [value]
    return [_call(v, f"{where}[{j}]" if isinstance(value, list) else where) for j, v in enumerate(values)]


def _functions(row: dict, column: str, found: list, xlam: bool = False) -> list[Function] | None:
    """A tools column: a list of OpenAI tools (or xLAM's functions), as JSON text or decoded; empty is none."""
    cell = row.get(column)
    if cell is None or isinstance(cell, str) and not cell.strip():
        return []
    try:
        tools = _list(cell, column) if not isinstance(cell, dict) else [cell]
        return [_function(t, f"{column}[{j}]", xlam) for j, t in enumerate(tools)]
    except _Fail as e:
        found.append((e.field, e.reason))
    except SchemaError as e:
        found.append((column, f"unparsable function metadata: {e}"))
    return None


def _function(tool, where: str, xlam: bool = False) -> Function:
    """One function: an OpenAI tool or bare function (Glaive, LLaMA-Factory, Hermes), v2 metadata, or xLAM's
    {"name", "description", "parameters": {NAME: {"type": "List[int], optional", "description", "default"}}}."""
    tool = _object(tool, where)
    if isinstance(tool.get("function"), str):  # v2 metadata
        return parse_function(_free(tool, where))
    if tool.get("function") is not None:
        tool, where = _object(tool["function"], f"{where}.function"), f"{where}.function"
    parameters = tool.get("parameters")
    parameters = {} if parameters is None else _object(parameters, f"{where}.parameters")
    if xlam and not (parameters.get("type") == "object" and parameters.get("properties") is not None):
        properties, required = _xlam_parameters(_free(parameters, f"{where}.parameters"), f"{where}.parameters")
    else:
        properties = parameters.get("properties")
        properties = {} if properties is None else _free(properties, f"{where}.parameters.properties")
        required = parameters.get("required") or []
        if isinstance(properties, dict):
            properties = {name: json_schema(schema) for name, schema in properties.items()}
    return Function.from_openai(
        {
            "name": tool.get("name"),
            "description": tool.get("description"),
            "parameters": {"properties": properties, "required": required},
        }
    )


def _xlam_parameters(parameters: dict, where: str) -> tuple[dict, list[str]]:
    """xLAM's parameters as JSON Schema properties. Optional: a type ending in ", optional" (or
    Optional[...]) or a default value, as in Python; required otherwise."""
    properties, required = {}, []
    for name, spec in parameters.items():
        if not isinstance(spec, dict):
            raise _Fail(f"{where}.{name}", f"expected an object with type and description, got {type(spec).__name__}")
        annotation = spec.get("type")
        schema, optional = (
            annotation_schema(annotation) if isinstance(annotation, str) else ({"type": annotation}, False)
        )
        properties[name] = {**schema, **{k: v for k, v in spec.items() if k != "type"}}
        if not optional and "default" not in spec:
            required.append(name)
    return properties, required


def _json_or_python(text: str, where: str, what: str):
    """Text inside a Hermes tag: JSON, else a Python literal (the dataset writes dicts with single quotes)."""
    if not text.strip():
        raise _Fail(where, f"{what} is empty")
    try:
        values = json_values(text)
        return values[0] if len(values) == 1 else values
    except SchemaError as e:
        json_error = e
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise _Fail(where, f"{what} holds neither JSON ({json_error}) nor a Python literal") from None
    problem = _not_json(value)
    if problem:
        raise _Fail(where, f"{what} holds a Python literal with {problem}, which JSON cannot hold")
    return value


def _not_json(value) -> str:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return "a key that is not text"
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not (
            item is None
            or isinstance(item, (str, bool, int))
            or isinstance(item, float)
            and item == item
            and abs(item) != float("inf")
        ):
            return f"a {type(item).__name__} value"
    return ""


def _hermes_tools(text: str, where: str) -> list[Function]:
    functions = []
    for block in _TOOLS.findall(text):
        try:
            value = _json_or_python(block, where, "<tools>")
            functions += [_function(tool, where) for tool in (value if isinstance(value, list) else [value])]
        except (_Fail, SchemaError) as e:
            raise _FunctionsFail(where, f"unparsable function metadata: {getattr(e, 'reason', e)}") from None
    return functions


def _hermes_calls(text: str, where: str) -> tuple[list[Call], str]:
    """The calls in <tool_call> tags, and the text outside them."""
    calls = []
    for j, block in enumerate(_TOOL_CALL.findall(text)):
        value = _json_or_python(block, where, f"<tool_call> {j + 1}")
        for obj in value if isinstance(value, list) else [value]:
            try:
                calls.append(_call(obj, where))
            except _Fail as e:
                raise _Fail(where, f"<tool_call> {j + 1}: {e.reason}") from None
    rest = _TOOL_CALL.sub("", text)
    if "<tool_call>" in rest or "</tool_call>" in rest:
        raise _Fail(where, "a <tool_call> tag without its </tool_call> (or the reverse)")
    return calls, rest.strip()


def _glaive_call(text: str, where: str) -> tuple[str, list[Call]]:
    """Glaive's "<functioncall> {...}": the text before the tag, and the call after it."""
    before, _, body = text.partition("<functioncall>")
    body = body.strip().removesuffix(_END).strip()
    quoted = _GLAIVE_CALL.fullmatch(body)
    if quoted:
        obj = {"name": _json(quoted[1], where), "arguments": quoted[2]}
    else:
        obj = _json(body, where)
    return before.strip(), [_call(obj, where)]
