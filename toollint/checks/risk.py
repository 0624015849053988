"""Risk and side-effect checks (TR): idempotency, approval gates and honest MCP annotations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from toollint.catalog.model import Tool
from toollint.catalog.risk import key_parameter, main_verb, name_words, words
from toollint.diagnostics import Severity, Violation
from toollint.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext

_HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
_IDEMPOTENT_PROSE = lazy_compile(
    r"\bidempotent\b|\bif\b[^.]{0,60}\b(?:does\s+not|doesn't|do\s+not|don't)\s+(?:already\s+)?exist|\bno\s+duplicates?\b"
    r"|\bcalling\s+(?:it|this)\s+(?:again|twice)\b[^.]{0,40}\b(?:no\s+effect|same\s+result|harmless)"
    r"|\balready\s+exists?\b|\bmust\s+be\s+unique\b|\bunique\s+name\b",
    re.IGNORECASE,
)
_INVENTED_KEY = lazy_compile(
    r"\b(generate|create|make up|invent|pick|choose|random(ly)?)\b[^.]{0,60}\b(uuid|guid|key|id|identifier|token|value|string)\b"
    r"|\b(random|new|fresh)\b[^.]{0,20}\b(uuid|guid)\b",
    re.IGNORECASE,
)


def _tokens(tool: Tool, ctx: RuleContext) -> tuple[str, ...]:
    return name_words(tool.name, ctx.words) if isinstance(tool.name, str) else ()


def _first_verb(tool: Tool, ctx: RuleContext) -> str | None:
    return main_verb(_tokens(tool, ctx), ctx.words)


_PATH_PARAMETER = frozenset({"path", "file_path", "filepath", "filename", "file_name", "output_path", "directory"})


def _created_by_unique_name(tool: Tool, verb: str, tokens: tuple[str, ...], ctx: RuleContext) -> bool:
    """`create_branch(branch_name)`, `create_document(filename)`: the caller names what is created, so a retry
    meets the first call's result and fails with a conflict instead of making a second one."""
    if verb not in ("create", "add", "make", "new", "copy", "duplicate", "clone"):
        return False
    objects = {t for t in tokens if t != verb}
    for parameter in tool.parameters:
        if parameter.depth != 0 or not parameter.required:
            continue
        parts = words(parameter.name)
        if not parts:
            continue
        if verb in ("copy", "duplicate", "clone"):
            # copy_document(destination_filename): the copy lands under a name the caller chose
            if parts[0] in ("destination", "dest", "target", "new") and parts[-1] in (
                "name",
                "path",
                "filename",
                "file",
            ):
                return True
            continue
        if parameter.name.lower() in _PATH_PARAMETER and objects & {"file", "document", "folder", "directory", "doc"}:
            return True
        if len(parts) >= 2 and parts[-1] in ("name", "path", "key", "slug") and parts[0] in objects:
            return True  # create_branch(branch_name)
        if parts == ("name",) and objects & ctx.words.unique_name_nouns:
            return True
    return False


def _adds_to_a_set(verb: str, tokens: tuple[str, ...], ctx: RuleContext) -> bool:
    """`add_label`, `add_watcher`, `add_issues_to_sprint`: membership, which a second call leaves as it is."""
    if verb != "add":
        return False
    return "to" in tokens or bool(set(tokens) & ctx.words.membership_nouns)


def _repeats_its_effect(tool: Tool, ctx: RuleContext) -> str | None:
    """What says a retry of `tool` repeats its effect (for the message), or None."""
    annotations = tool.annotations or {}
    if annotations.get("idempotentHint") is False and annotations.get("readOnlyHint") is not True:
        return "its declared `idempotentHint: false`"
    return _accumulates(tool, ctx)


def _fails_or_absorbs_a_retry(tool: Tool, ctx: RuleContext) -> str | None:
    """Why a second call meets the first one's result instead of adding another, or None: creating under a name
    the caller gives (a conflict), or adding a member to a set (`add_reaction`: already there). Only a member
    noun counts here, not `add_..._to_...`: a reply added to a thread is a second reply."""
    verb = _first_verb(tool, ctx)
    if verb is None:
        return None
    tokens = _tokens(tool, ctx)
    if _created_by_unique_name(tool, verb, tokens, ctx):
        return "the caller names what it creates, so a retry may fail on a conflict rather than repeat"
    if verb == "add" and set(tokens) & ctx.words.membership_nouns:
        return "it adds a member to a set, which a retry may leave as it is"
    return None


def _accumulates(tool: Tool, ctx: RuleContext) -> str | None:
    """The verb that says each call of `tool` adds a new effect (for the message), or None."""
    tokens = _tokens(tool, ctx)
    verb = _first_verb(tool, ctx)
    found = ctx.risk(tool)
    if verb is None and found.verb is not None and found.risk_source == "description":
        verb = found.verb
    if verb is None or verb not in ctx.words.accumulating_verbs:
        return None  # set, update, rename, replace, delete: a second call leaves the same state
    natural = set(ctx.options["natural-verbs"])
    if verb in natural or any(token.rstrip("s") in natural for token in tokens):
        return None  # create_or_update_file, stars_add: the state is set, not accumulated
    if _created_by_unique_name(tool, verb, tokens, ctx) or _adds_to_a_set(verb, tokens, ctx):
        return None
    where = "in the name" if verb in tokens else "that starts the description"
    return f"the verb `{verb}` {where}"


def non_idempotent_write_tool(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    found = ctx.risk(tool)
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
    if found.risk_source == "runs code":
        return  # what a retry does is whatever the code does: no key can name it, and TR002 has the risk
    if isinstance(tool.description, str) and _IDEMPOTENT_PROSE.search(tool.description):
        return
    evidence = _repeats_its_effect(tool, ctx)
    if evidence is None:
        return
    absorbed = _fails_or_absorbs_a_retry(tool, ctx) if evidence.startswith("its declared") else None
    if absorbed is not None:
        # declared non-idempotent, but the name says a retry meets the first call's result
        # (`create_branch(branch_name)` fails on a conflict): the hint may only be conservative
        yield Violation(
            tool.at("name"),
            f"`{tool.display_name}` has its declared `idempotentHint: false` and no idempotency key parameter or "
            f"`x-toollint.idempotency`, but {absorbed}; say which in the description, or declare "
            "`idempotentHint: true` if a retry changes nothing",
            severity=Severity.WARNING,
        )
        return
    yield Violation(
        tool.at("name"),
        f"a retried call of `{tool.display_name}` repeats its effect (inferred from {evidence}), and it has no "
        "idempotency key parameter, no `idempotentHint: true` and no `x-toollint.idempotency`; add a key the "
        "runtime supplies, or declare `x-toollint.idempotency: natural` if a retry is harmless",
    )


def destructive_tool_without_approval(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    found = ctx.risk(tool)
    if found.risk != "destructive" or found.approval is not None or found.approval_source == "x-toollint.approval":
        return
    gate = "(`x-toollint.approval: human`, a boolean `confirm` parameter, or MCP elicitation in the handler)"
    verb = _first_verb(tool, ctx)
    if found.risk_source == "MCP annotations" and (tool.annotations or {}).get("destructiveHint") is True:
        if verb in ctx.words.additive_verbs:
            # the project's word stands (clients will treat it as destructive), but the name says it adds
            yield Violation(
                tool.at("name"),
                f"`{tool.display_name}` declares `destructiveHint: true`, but its name says it does `{verb}`, and it "
                f"has no approval gate {gate}; if it only adds, declare `destructiveHint: false`, otherwise gate it",
            )
            return
    effect = "the deletion" if verb in ctx.words.destructive_verbs else "its irreversible change"
    yield Violation(
        tool.at("name"),
        f"destructive tool `{tool.display_name}` (from {found.evidence}) has no approval gate {gate}; only the "
        f"prompt stands between the model and {effect}",
    )


def annotation_contradiction(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    annotations = tool.annotations
    if annotations is None:
        return
    for hint in _HINTS:
        if hint in annotations and not isinstance(annotations[hint], bool):
            yield Violation(tool.at("annotations", hint), f"`{hint}` must be a boolean, not `{annotations[hint]!r}`")
    read_only, destructive = annotations.get("readOnlyHint"), annotations.get("destructiveHint")
    verb = _first_verb(tool, ctx)
    vocabulary = ctx.words
    if read_only is True and destructive is True:
        yield Violation(
            tool.at("annotations", "destructiveHint"),
            "`destructiveHint: true` contradicts `readOnlyHint: true`: a read-only tool cannot destroy anything",
        )
    elif (
        read_only is True
        and verb is not None
        and (verb in vocabulary.write_verbs or verb in vocabulary.destructive_verbs)
        and not any(token in vocabulary.read_verbs for token in _tokens(tool, ctx))
    ):
        yield Violation(
            tool.at("annotations", "readOnlyHint"),
            f"`readOnlyHint: true` on `{tool.display_name}`, whose name says it does `{verb}`",
        )
    if destructive is False and verb in vocabulary.destructive_verbs:
        yield Violation(
            tool.at("annotations", "destructiveHint"),
            f"`destructiveHint: false` on `{tool.display_name}`, whose name says it does `{verb}`",
        )


def unclassified_write_tool(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    if tool.format != "mcp":
        return
    found = ctx.risk(tool)
    if found.risk == "read" or not found.missing_hints:
        return
    if tool.annotations is None:
        yield Violation(
            tool.at("name"),
            f"{found.risk} tool `{tool.display_name}` (from {found.evidence}) declares no `annotations`; MCP clients then assume it is destructive, "
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
