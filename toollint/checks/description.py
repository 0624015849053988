"""Description checks (TD): what the model reads to choose a tool and fill its arguments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Parameter, Tool
from toollint.diagnostics import Violation

if TYPE_CHECKING:
    from toollint.engine.run import RuleContext


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def missing_tool_description(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    description = tool.description
    if "description" in tool.spec and not _blank(description):
        return
    if "description" in tool.spec:
        yield Violation(tool.at("description"), f"tool `{tool.display_name}` has an empty description")
    else:
        yield Violation(tool.at("name"), f"tool `{tool.display_name}` has no description", anchor="key")


def _local_ref_target(tool: Tool, ref: str) -> Any:
    if not ref.startswith("#/"):
        return None
    node: Any = tool.input_schema
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node.get(part) if isinstance(node, dict) else None
    return node


def missing_parameter_description(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    schema = parameter.schema
    if not isinstance(schema, dict):
        return
    if not _blank(schema.get("description")):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ctx.tool is not None:
        target = _local_ref_target(ctx.tool, ref)
        if isinstance(target, dict) and not _blank(target.get("description")):
            return
    if "description" in schema:
        yield Violation(parameter.pointer + ("description",), f"parameter `{parameter.qualified_name}` has an empty description")
    else:
        yield Violation(parameter.pointer, f"parameter `{parameter.qualified_name}` has no description", anchor="key")
