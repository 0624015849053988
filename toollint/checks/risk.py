"""Risk and side-effect checks (TR): idempotency, approval gates and honest MCP annotations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from toollint.catalog.model import Tool
from toollint.catalog.risk import (
    DESTRUCTIVE_VERBS,
    READ_VERBS,
    WRITE_VERBS,
    key_parameter,
    main_verb,
    name_words,
)
from toollint.diagnostics import Violation
from toollint.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext

_HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
_IDEMPOTENT_PROSE = lazy_compile(
    r"\bidempotent\b|\bif\b[^.]{0,60}\b(?:does\s+not|doesn't|do\s+not|don't)\s+(?:already\s+)?exist|\bno\s+duplicates?\b"
    r"|\bcalling\s+(?:it|this)\s+(?:again|twice)\b[^.]{0,40}\b(?:no\s+effect|same\s+result|harmless)",
    re.IGNORECASE,
)
_INVENTED_KEY = lazy_compile(
    r"\b(generate|create|make up|invent|pick|choose|random(ly)?)\b[^.]{0,60}\b(uuid|guid|key|id|identifier|token|value|string)\b"
    r"|\b(random|new|fresh)\b[^.]{0,20}\b(uuid|guid)\b",
    re.IGNORECASE,
)


def _tokens(tool: Tool) -> tuple[str, ...]:
    return name_words(tool.name) if isinstance(tool.name, str) else ()


def _first_verb(tool: Tool) -> str | None:
    return main_verb(_tokens(tool))


def non_idempotent_write_tool(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    found = tool.risk
    declared = tool.meta.get("idempotency")
    if (
        isinstance(declared, str)
        and declared not in ("natural", "runtime", "")
        and declared not in {p.name for p in tool.parameters}
    ):
        yield Violation(
            tool.at("x-toollint", "idempotency"),
            f"`x-toollint.idempotency` names `{declared}`, which is not a parameter of `{tool.display_name}`; "
            "use `runtime` if the runtime adds the key outside the model's schema",
        )
        return
    if found.risk == "read" or found.idempotency is not None:
        return
    verb = _first_verb(tool)
    natural = set(ctx.options["natural-verbs"])
    if verb is not None and (verb in natural or verb in DESTRUCTIVE_VERBS):
        return  # setting a value or deleting a thing twice leaves the same state
    if any(token.rstrip("s") in natural for token in _tokens(tool)):
        return  # create_or_update_file, stars_add: the state is set, not accumulated
    if found.risk == "destructive" and (verb is None or verb not in WRITE_VERBS):
        return  # a deletion is naturally idempotent; only a destructive tool that also creates is at risk
    if isinstance(tool.description, str) and _IDEMPOTENT_PROSE.search(tool.description):
        return
    yield Violation(
        tool.at("name"),
        f"{found.risk} tool `{tool.display_name}` has no idempotency key parameter, no `idempotentHint: true` and no "
        "`x-toollint.idempotency`; a retried call repeats its effect",
    )


def destructive_tool_without_approval(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    found = tool.risk
    if found.risk != "destructive" or found.approval is not None or found.approval_source == "x-toollint.approval":
        return
    yield Violation(
        tool.at("name"),
        f"destructive tool `{tool.display_name}` has no approval gate (`x-toollint.approval: human` or a boolean "
        "`confirm` parameter); only the prompt stands between the model and the deletion",
    )


def annotation_contradiction(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    annotations = tool.annotations
    if annotations is None:
        return
    for hint in _HINTS:
        if hint in annotations and not isinstance(annotations[hint], bool):
            yield Violation(tool.at("annotations", hint), f"`{hint}` must be a boolean, not `{annotations[hint]!r}`")
    read_only, destructive = annotations.get("readOnlyHint"), annotations.get("destructiveHint")
    verb = _first_verb(tool)
    if read_only is True and destructive is True:
        yield Violation(
            tool.at("annotations", "destructiveHint"),
            "`destructiveHint: true` contradicts `readOnlyHint: true`: a read-only tool cannot destroy anything",
        )
    elif (
        read_only is True
        and verb is not None
        and (verb in WRITE_VERBS or verb in DESTRUCTIVE_VERBS)
        and not any(token in READ_VERBS for token in _tokens(tool))
    ):
        yield Violation(
            tool.at("annotations", "readOnlyHint"),
            f"`readOnlyHint: true` on `{tool.display_name}`, whose name says it does `{verb}`",
        )
    if destructive is False and verb in DESTRUCTIVE_VERBS:
        yield Violation(
            tool.at("annotations", "destructiveHint"),
            f"`destructiveHint: false` on `{tool.display_name}`, whose name says it does `{verb}`",
        )


def unclassified_write_tool(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    if tool.format != "mcp":
        return
    found = tool.risk
    if found.risk == "read" or not found.missing_hints:
        return
    if tool.annotations is None:
        yield Violation(
            tool.at("name"),
            f"{found.risk} tool `{tool.display_name}` declares no `annotations`; MCP clients then assume it is destructive, "
            "not idempotent and open-world",
            anchor="key",
        )
    else:
        yield Violation(
            tool.at("annotations"),
            f"`{tool.display_name}` sets `readOnlyHint: false` but not `destructiveHint`, which MCP clients then take as "
            "`true`; say `destructiveHint: false` if it only adds or updates",
            anchor="key",
        )


def model_generated_idempotency_key(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    key = key_parameter(tool)
    if key is None or not isinstance(key.schema, dict):
        return
    description = key.schema.get("description")
    if isinstance(description, str) and _INVENTED_KEY.search(description):
        yield Violation(
            key.pointer + ("description",),
            f"`{key.name}` asks the model to make up the idempotency key; a retry gets a new key and the duplicate goes "
            "through. Have the runtime supply a stable key and keep it out of the model's schema",
        )
