"""Risk class (read / write / destructive), approval gate and idempotency of each tool, and where each came from.

Resolution order: `x-toollint` metadata, then MCP annotations, then the verb of the tool's name, then the
first word of its description. A tool nothing speaks for is a read tool, so that the write-only rules
never fire on a guess. A tool that runs the code or command it is given is destructive unless declared
otherwise. The words come from the judgement vocabulary (`rules/vocabulary.yaml`), which config extends.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from toollint.catalog.model import Parameter, Tool
from toollint.catalog.vocabulary import Vocabulary, builtin
from toollint.lazy_pattern import lazy_compile

Risk = Literal["read", "write", "destructive"]
RISKS: tuple[Risk, ...] = ("read", "write", "destructive")

_WORD = lazy_compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_KEY_PARAMETER = lazy_compile(r"idempot|dedup|client[_-]?(request[_-]?)?(token|id)|request[_-]?id|nonce", re.IGNORECASE)
_CONFIRM_PARAMETER = lazy_compile(
    r"^(confirm(ed|ation)?|approved?|user[_-]?confirmed|i[_-]?understand|acknowledged?)$", re.IGNORECASE
)


@lru_cache(maxsize=32768)
def words(name: str) -> tuple[str, ...]:
    """`create_issueComment` → (create, issue, comment). Cached: every rule asks about the same names."""
    return tuple(w.lower() for w in _WORD.findall(name))


def name_words(name: str, vocabulary: Vocabulary | None = None) -> tuple[str, ...]:
    """Words of a tool name that can carry its verb. In `sports_team.get_schedule` the part after the last dot is
    the function, and its words come first; ToolBench's `tracking_for_pack_send` is a `tracking` call of the
    `pack_send` API, so the words after `for` name the API, not the action."""
    namespace, _, function = name.rpartition(".")
    found = words(function)
    found = found[: found.index("for")] if "for" in found[1:] else found
    if namespace and main_verb(found, vocabulary) is None:
        found = words(namespace) + found
    return found


def _computes_a_value(tool: Tool, tokens: Sequence[str], vocabulary: Vocabulary) -> bool:
    """A constructive verb (create, add, update ...) makes a write tool only if something persists: `create_order`
    writes, `create_polygon` and `add_binary_numbers` compute a value and return it."""
    verb = main_verb(tokens, vocabulary) or next(iter(words(str(tool.description or "")[:60])[:1]), "").rstrip("s")
    if verb not in vocabulary.constructive_verbs:
        return False
    text = " ".join(words(str(tool.name))) + " " + (tool.description if isinstance(tool.description, str) else "")
    nouns = vocabulary.persists_nouns
    return not any(w in nouns or w.removesuffix("s") in nouns for w in words(text))


def _risk_of(token: str, vocabulary: Vocabulary) -> Risk | None:
    if token in vocabulary.destructive_verbs:
        return "destructive"
    if token in vocabulary.write_verbs:
        return "write"
    if token in vocabulary.read_verbs:
        return "read"
    if token.startswith("un") and token[2:] in vocabulary.write_verbs:
        return "write"  # unprotect, unhide: the undoing of a write is a write, itself undone by the write
    return None


def main_verb(tokens: Sequence[str], vocabulary: Vocabulary | None = None) -> str | None:
    """The verb of a name: verb-first names (`get_issue`) lead with it, noun-first ones (`issue_write`,
    `pull_request_read`) end with it; otherwise the first verb anywhere (`team_api.delete_team`)."""
    if not tokens:
        return None
    vocabulary = vocabulary or builtin()
    for candidate in (tokens[0], tokens[-1]):
        if _risk_of(candidate, vocabulary):
            return candidate
    return next((t for t in tokens if _risk_of(t, vocabulary)), None)


def verb_risk(tokens: Sequence[str], vocabulary: Vocabulary | None = None) -> Risk | None:
    vocabulary = vocabulary or builtin()
    verb = main_verb(tokens, vocabulary)
    return _risk_of(verb, vocabulary) if verb else None


def _description_verb(description: Any, vocabulary: Vocabulary) -> tuple[Risk, str] | None:
    """The risk of the first word of a description and that word as a verb. Descriptions say "Runs a simulation"
    or "Executes the query" of pure computations as often as of actions, so the ambiguous verbs decide nothing."""
    if not isinstance(description, str):
        return None
    first = words(description[:60])[:1]
    if not first:
        return None
    word = first[0]
    for candidate in (word, word.removesuffix("s"), word.removesuffix("es")):
        if candidate in vocabulary.ambiguous_description_verbs:
            return None
        risk = _risk_of(candidate, vocabulary)
        if risk:
            return risk, candidate
    return None


# A tool that runs code or shell commands handed to it can do anything its host can: it is destructive whatever
# its verb. Both a code-like parameter and an execute/run/eval verb (or "arbitrary" code) must be there.
_CODE_PARAMETER = lazy_compile(
    r"^(?:code|source(?:_code)?|script|python(?:_code)?|command|cmd|shell(?:_command)?|snippet)$"
)
_RUNS_CODE = lazy_compile(
    r"\b(?:execut(?:e|es|ing)|run(?:s|ning)?|eval(?:uate)?s?)\b[^.]{0,40}\b(?:code|python|script|shell|command|bash|"
    r"javascript|snippet)s?\b|\barbitrary\s+(?:code|python|commands?|shell|scripts?)\b",
    re.IGNORECASE,
)
_RUN_VERBS = frozenset({"execute", "exec", "run", "eval", "evaluate"})


def _runs_code(tool: Tool, tokens: Sequence[str]) -> str | None:
    """The parameter whose code the tool runs, if its name or description says it runs it."""
    parameter = next((p for p in tool.parameters if p.depth == 0 and _CODE_PARAMETER.match(p.name.lower())), None)
    if parameter is None:
        return None
    description = tool.description if isinstance(tool.description, str) else ""
    if _RUN_VERBS & set(tokens) or _RUNS_CODE.search(description):
        return parameter.name
    return None


class RiskProfile(NamedTuple):
    risk: Risk
    risk_source: str
    approval: str | None  # "human", "parameter `confirm`", or None
    approval_source: str
    idempotency: str | None  # "natural", "key `request_id`", "annotation", or None
    idempotency_source: str
    missing_hints: tuple[str, ...] = ()  # MCP write tools: hints whose absence makes clients assume the worst
    verb: str | None = None  # the verb the risk was read from, when it was inferred from the name or description
    evidence: str = ""  # what the risk class rests on, for messages: "the verb `send` in the name"

    @property
    def inferred(self) -> bool:
        """True when nothing declares the risk class: it was read from words, so messages must say from which."""
        return self.risk_source not in ("x-toollint.risk", "MCP annotations")


def _annotation_risk(
    annotations: dict[str, Any], tokens: Sequence[str], vocabulary: Vocabulary
) -> tuple[Risk | None, tuple[str, ...]]:
    read_only = annotations.get("readOnlyHint")
    destructive = annotations.get("destructiveHint")
    if read_only is True:
        return "read", ()
    if destructive is True:
        return "destructive", ()
    if destructive is False:
        return "write", ()
    if read_only is False:
        # destructiveHint defaults to true in MCP; the name decides between write and destructive
        return ("destructive" if verb_risk(tokens, vocabulary) == "destructive" else "write"), ("destructiveHint",)
    return None, ()


def key_parameter(tool: Tool) -> Parameter | None:
    for parameter in tool.parameters:
        if parameter.depth == 0 and _KEY_PARAMETER.search(parameter.name):
            return parameter
    return None


def confirmation_parameter(tool: Tool) -> Parameter | None:
    for parameter in tool.parameters:
        schema = parameter.schema
        if parameter.depth == 0 and _CONFIRM_PARAMETER.match(parameter.name) and isinstance(schema, dict):
            if schema.get("type") == "boolean" or schema.get("const") is True or schema.get("enum") == [True]:
                return parameter
    return None


def _annotation_evidence(annotations: dict[str, Any]) -> str:
    hints = [f"`{h}: {str(annotations[h]).lower()}`" for h in ("readOnlyHint", "destructiveHint") if h in annotations]
    return " and ".join(hints) or "its MCP annotations"


def profile(tool: Tool, vocabulary: Vocabulary | None = None) -> RiskProfile:
    """The tool's risk class, approval gate and idempotency, read with `vocabulary` (the built-in one if None)."""
    vocabulary = vocabulary or builtin()
    meta = tool.meta
    tokens = name_words(tool.name, vocabulary) if isinstance(tool.name, str) else ()
    missing: tuple[str, ...] = ()
    verb: str | None = None
    evidence = ""

    risk: Risk | None = meta.get("risk") if meta.get("risk") in RISKS else None
    source = "x-toollint.risk"
    if risk is not None:
        evidence = f"`x-toollint.risk: {risk}`"
    annotations = tool.annotations
    if risk is None and annotations is not None:
        risk, missing = _annotation_risk(annotations, tokens, vocabulary)
        source, evidence = "MCP annotations", _annotation_evidence(annotations)
    if risk is None:
        verb = main_verb(tokens, vocabulary)
        risk, source = (_risk_of(verb, vocabulary) if verb else None), "name"
        evidence = f"the verb `{verb}` in the name" if verb else ""
    if risk is None:
        found = _description_verb(tool.description, vocabulary)
        risk, verb = found if found else (None, None)
        source, evidence = "description", f"the verb `{verb}` that starts the description" if verb else ""
    if risk is None:
        risk, source, evidence = "read", "default", "nothing: no verb or declaration says it writes"
    if risk == "write" and source in ("name", "description") and _computes_a_value(tool, tokens, vocabulary):
        risk, source = "read", f"{source}: computes a value"
    if source not in ("x-toollint.risk", "MCP annotations") or (risk == "write" and annotations is not None):
        runs = _runs_code(tool, tokens)
        if runs is not None and (
            source != "MCP annotations" or (annotations or {}).get("destructiveHint") is not False
        ):
            risk, source = "destructive", "runs code"
            evidence = f"the code it runs from `{runs}`, which can do anything its host can"
    if tool.format == "mcp" and risk != "read" and annotations is None:
        missing = ("readOnlyHint", "destructiveHint")

    approval: str | None = None
    approval_source = "none"
    if meta.get("approval") in ("human", "none"):
        approval = "human" if meta["approval"] == "human" else None
        approval_source = "x-toollint.approval"
    else:
        confirm = confirmation_parameter(tool)
        if confirm is not None:
            approval, approval_source = f"parameter `{confirm.name}`", "confirmation parameter"

    idempotency: str | None = None
    idempotency_source = "none"
    declared = meta.get("idempotency")
    if isinstance(declared, str) and declared.strip():
        idempotency = declared if declared in ("natural", "runtime") else f"key `{declared}`"
        idempotency_source = "x-toollint.idempotency"
    elif annotations is not None and annotations.get("idempotentHint") is True:
        idempotency, idempotency_source = "annotation", "MCP idempotentHint"
    else:
        key = key_parameter(tool)
        if key is not None:
            idempotency, idempotency_source = f"key `{key.name}`", "key parameter"
    return RiskProfile(
        risk, source, approval, approval_source, idempotency, idempotency_source, missing, verb, evidence
    )
