"""Recognising tool formats (Anthropic, OpenAI, MCP, Gemini, loose BFCL-style) and prompts in Documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from toollint.catalog.model import Prompt, Tool
from toollint.diagnostics import Pointer
from toollint.loading.document import Document
from toollint.tool_shapes import INPUT_KEYS, ToolFormat, shapes_in

_OUTPUT_KEYS = (("output_schema",), ("outputSchema",), ("x-toollint", "output_schema"))
_PROMPT_KEYS = ("system", "prompt", "instructions")


def _input_key(spec: dict[str, Any]) -> str | None:
    for key in INPUT_KEYS:
        if key in spec:
            return key
    return None


def _output_key(spec: dict[str, Any]) -> tuple[str, ...] | None:
    for path in _OUTPUT_KEYS:
        value: Any = spec
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            return path
    return None


def _make_tool(obj: dict[str, Any], pointer: Pointer, path: str, fmt: ToolFormat, spec_at: Pointer) -> Tool:
    spec: dict[str, Any] = obj
    for key in spec_at:
        spec = spec[str(key)]
    spec_pointer = pointer + spec_at
    return Tool(spec.get("name"), path, pointer, spec_pointer, fmt, spec, _input_key(spec), _output_key(spec))


def tools_in(data: Any, pointer: Pointer, path: str) -> Iterator[Tool]:
    for obj, at, fmt, spec_at in shapes_in(data, pointer):
        yield _make_tool(obj, at, path, fmt, spec_at)


def _text_of(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [str(b["text"]) for b in content if isinstance(b, dict) and isinstance(b.get("text"), str)]
        return "\n".join(parts) if parts else None
    return None


def prompts_in(data: Any, path: str, agent: str | None) -> Iterator[Prompt]:
    """Prompts inside a structured (YAML/JSON) document: `system`, `prompt`, `instructions`, `messages`."""
    if not isinstance(data, dict):
        return
    agent = data.get("agent") if isinstance(data.get("agent"), str) else agent
    for key in _PROMPT_KEYS:
        text = _text_of(data.get(key))
        if text is not None:
            yield Prompt(path, (key,), text, "system", agent)
    messages = data.get("messages")
    if isinstance(messages, list):
        for i, message in enumerate(messages):
            if isinstance(message, dict):
                text = _text_of(message.get("content"))
                role = str(message["role"]) if isinstance(message.get("role"), str) else "user"
                if text is not None:
                    yield Prompt(path, ("messages", i, "content"), text, role, agent)


def declarations(document: Document) -> tuple[list[Tool], list[Prompt]]:
    """The tools and prompts a loaded document declares."""
    path = document.path
    if document.kind == "eval":
        return [], []  # eval suites name tools and prompts; they declare none (see `catalog.evals`)
    if document.kind == "text":
        agent = document.front_matter.get("agent")
        return [], [Prompt(path, (), document.text, "system", agent if isinstance(agent, str) else None)]
    if document.kind == "python":
        data = document.data
        tools = list(tools_in(data["tools"], ("tools",), path))
        for index, literal in enumerate(data["literals"]):
            tools.extend(tools_in(literal, ("literals", index), path))
        return tools, [Prompt(path, ("prompts", key), text, "system", None) for key, text in data["prompts"].items()]
    return list(tools_in(document.data, (), path)), list(prompts_in(document.data, path, None))


def tools_of(loaded: Iterable[tuple[Document | None, Any]]) -> tuple[list[Tool], dict[str, Document]]:
    """The tools of loaded documents, and the documents by path (for locations)."""
    tools: list[Tool] = []
    documents: dict[str, Document] = {}
    for document, _ in loaded:
        if document is not None:
            documents[document.path] = document
            tools.extend(declarations(document)[0])
    return tools, documents
