"""Tool shapes: which objects are tool definitions, in which provider format, and where their spec sits.

Loading needs this to tell a literal list of tools in Python from any other list, and the catalog to build
`Tool`s, so it lives below both and knows nothing of either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from toollint.diagnostics import Pointer

ToolFormat = Literal["anthropic", "openai", "openai-responses", "openai-function", "mcp", "gemini"]
# (the object, its pointer, its format, where its name/description/schema live inside it)
Shape = tuple[dict[str, Any], Pointer, ToolFormat, Pointer]

INPUT_KEYS: dict[str, ToolFormat] = {
    "input_schema": "anthropic",
    "inputSchema": "mcp",
    "parameters": "openai-function",
    "parametersJsonSchema": "gemini",
}
_GEMINI_LISTS = ("function_declarations", "functionDeclarations")


def _function_spec(obj: dict[str, Any]) -> tuple[ToolFormat, Pointer] | None:
    """The format of one candidate object and where its name/description live, or None."""
    kind = obj.get("type")
    if kind == "function" and isinstance(obj.get("function"), dict):
        return "openai", ("function",)
    if "name" not in obj:
        return None
    if kind == "function":
        return "openai-responses", ()
    if kind not in (None, "custom"):
        return None  # provider built-in tools (web_search_..., computer_...) carry no schema to lint
    for key, fmt in INPUT_KEYS.items():
        if key in obj:
            return fmt, ()
    return None


def _shapes_in_list(items: list[Any], pointer: Pointer, forced: ToolFormat | None) -> Iterator[Shape]:
    recognised = [(i, obj, _function_spec(obj)) for i, obj in enumerate(items) if isinstance(obj, dict)]
    sibling = forced or next((spec[0] for _, _, spec in recognised if spec is not None), None)
    for i, obj, spec in recognised:
        if spec is not None:
            fmt: ToolFormat = "gemini" if forced == "gemini" and spec[0] == "openai-function" else spec[0]
            yield obj, pointer + (i,), fmt, spec[1]
        elif any(key in obj for key in _GEMINI_LISTS) or "tools" in obj:
            yield from shapes_in(obj, pointer + (i,))
        elif sibling is not None and isinstance(obj.get("name"), str) and "type" not in obj:
            # a tool in a list of tools that forgot its schema: still a tool, and the rules will say so
            yield obj, pointer + (i,), sibling, ()


def shapes_in(data: Any, pointer: Pointer = ()) -> Iterator[Shape]:
    """Every tool definition in a parsed document or value, in document order."""
    if isinstance(data, list):
        yield from _shapes_in_list(data, pointer, None)
        return
    if not isinstance(data, dict):
        return
    spec = _function_spec(data)
    if spec is not None:
        yield data, pointer, *spec
        return
    for key in _GEMINI_LISTS:
        if isinstance(data.get(key), list):
            yield from _shapes_in_list(data[key], pointer + (key,), "gemini")
    if isinstance(data.get("tools"), list):
        yield from _shapes_in_list(data["tools"], pointer + ("tools",), None)
    if isinstance(data.get("functions"), list):
        yield from _shapes_in_list(data["functions"], pointer + ("functions",), "openai-function")
    result = data.get("result")
    if isinstance(result, dict) and isinstance(result.get("tools"), list):
        yield from _shapes_in_list(result["tools"], pointer + ("result", "tools"), "mcp")


def holds_tool(data: Any) -> bool:
    return next(shapes_in(data), None) is not None
