"""A vLLM tool-call parser for the Trelis v2 output, named `fctune_v2`: calls are read by fctune's
own parser (eval/parse.py), exactly as evaluation reads them.

`python -m train.merge` copies this file into the merged model directory as
`fctune_tool_parser.py`; vLLM loads it with

    vllm serve MERGED --enable-auto-tool-choice --chat-template MERGED/chat_template.jinja \\
        --tool-parser-plugin MERGED/fctune_tool_parser.py --tool-call-parser fctune_v2

fctune must be importable where vLLM runs (`pip install --no-deps` of this project is enough:
the parser needs nothing but the standard library). Importing this module needs vLLM.
"""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import Sequence

from eval.parse import CallStream, to_message


def _first(modules: list[str], *names: str) -> list:
    """`names` from the first of `modules` that has them all: vLLM has moved them between releases."""
    for module in modules:
        try:
            found = importlib.import_module(module)
        except ImportError:
            continue
        if all(hasattr(found, name) for name in names):
            return [getattr(found, name) for name in names]
    raise ImportError(f"none of {modules} provides {', '.join(names)}: is vLLM installed?")


ToolParser, ToolParserManager = _first(
    ["vllm.tool_parsers", "vllm.entrypoints.openai.tool_parsers"], "ToolParser", "ToolParserManager"
)
(DeltaFunctionCall, DeltaMessage, DeltaToolCall, ExtractedToolCallInformation, FunctionCall, ToolCall) = _first(
    [
        "vllm.entrypoints.openai.protocol",
        "vllm.entrypoints.openai.engine.protocol",
        "vllm.entrypoints.generate.base.protocol",
    ],
    "DeltaFunctionCall",
    "DeltaMessage",
    "DeltaToolCall",
    "ExtractedToolCallInformation",
    "FunctionCall",
    "ToolCall",
)


@ToolParserManager.register_module("fctune_v2")
class FctuneV2ToolParser(ToolParser):
    """Whole answers through `to_message`; streamed ones through `CallStream`: the prose before
    the first place a call may begin as content, then each call, whole, once its JSON is complete."""

    def __init__(self, tokenizer, *args, **kwargs):
        super().__init__(tokenizer, *args, **kwargs)
        self.stream = CallStream()

    def extract_tool_calls(self, model_output: str, request) -> ExtractedToolCallInformation:
        message = to_message(model_output)
        calls = [
            ToolCall(type="function", function=FunctionCall(**c["function"])) for c in message.get("tool_calls", [])
        ]
        return ExtractedToolCallInformation(tools_called=bool(calls), tool_calls=calls, content=message["content"])

    def extract_tool_calls_streaming(
        self,
        previous_text: str,
        current_text: str,
        delta_text: str,
        previous_token_ids: Sequence[int],
        current_token_ids: Sequence[int],
        delta_token_ids: Sequence[int],
        request,
    ) -> DeltaMessage | None:
        prose, calls = self.stream.update(current_text)
        deltas = []
        for call in calls:
            arguments = json.dumps(call.arguments, ensure_ascii=False)
            # What vLLM's server compares at the end to send any arguments not streamed yet.
            self.prev_tool_call_arr.append({"name": call.name, "arguments": call.arguments})
            self.streamed_args_for_tool.append(arguments)
            self.current_tool_id = len(self.prev_tool_call_arr) - 1
            deltas.append(
                DeltaToolCall(
                    index=self.current_tool_id,
                    type="function",
                    id=f"call_{uuid.uuid4().hex[:24]}",
                    function=DeltaFunctionCall(name=call.name, arguments=arguments),
                )
            )
        if not prose and not deltas:
            return None
        return DeltaMessage(content=prose or None, tool_calls=deltas)
