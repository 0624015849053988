"""Risk class (read / write / destructive), approval gate and idempotency of each tool, and where each came from.

Resolution order: `x-toollint` metadata, then MCP annotations, then the verb of the tool's name, then the
first word of its description. A tool nothing speaks for is a read tool, so that the write-only rules
never fire on a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from toollint.catalog.model import Parameter, Tool
from toollint.lazy_pattern import lazy_compile

Risk = Literal["read", "write", "destructive"]
RISKS: tuple[Risk, ...] = ("read", "write", "destructive")

READ_VERBS = frozenset(
    "get list search find lookup look fetch read query describe show view check count retrieve download export "
    "validate verify calculate compute estimate preview inspect explain summarize summarise translate convert "
    "parse format analyze analyse compare match suggest recommend predict render test browse scan watch poll "
    "lint diff is has can".split()
)
WRITE_VERBS = frozenset(
    # nouns that double as verbs (order, label, comment, email, message, record, log) are left out on purpose:
    # `order_status` and `label_list` are reads
    "create add insert update set put post send submit write save upload edit modify patch change assign move "
    "rename copy publish schedule reserve place pay charge transfer refund invite share enable start "
    "execute trigger deploy merge approve reject close reopen lock unlock register subscribe notify reply star "
    "unstar follow unfollow fork push commit apply install import sync restore archive unarchive mute unmute "
    "pin unpin mark increment decrement upsert grant accept confirm complete resolve unresolve dismiss request "
    "invoke rotate release tweet like react vote bump retry stop pause resume restart scale provision "
    "configure attach detach link unlink mint buy sell trade withdraw deposit sign".split()
)
DESTRUCTIVE_VERBS = frozenset(
    "delete remove destroy drop purge erase wipe truncate revoke cancel terminate kill uninstall reset "
    "overwrite ban deactivate disable void unpublish forget shred nuke".split()
)
_WORD = lazy_compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_KEY_PARAMETER = lazy_compile(r"idempot|dedup|client[_-]?(request[_-]?)?(token|id)|request[_-]?id|nonce", re.IGNORECASE)
_CONFIRM_PARAMETER = lazy_compile(
    r"^(confirm(ed|ation)?|approved?|user[_-]?confirmed|i[_-]?understand|acknowledged?)$", re.IGNORECASE
)


@lru_cache(maxsize=32768)
def words(name: str) -> tuple[str, ...]:
    """`create_issueComment` → (create, issue, comment). Cached: every rule asks about the same names."""
    return tuple(w.lower() for w in _WORD.findall(name))


def name_words(name: str) -> tuple[str, ...]:
    """Words of a tool name that can carry its verb. In `sports_team.get_schedule` the part after the last dot is
    the function, and its words come first; ToolBench's `tracking_for_pack_send` is a `tracking` call of the
    `pack_send` API, so the words after `for` name the API, not the action."""
    namespace, _, function = name.rpartition(".")
    found = words(function)
    found = found[: found.index("for")] if "for" in found[1:] else found
    if namespace and main_verb(found) is None:
        found = words(namespace) + found
    return found


# A constructive verb (create, add, update ...) makes a write tool only if something persists: `create_order`
# writes, `create_polygon` and `add_binary_numbers` compute a value and return it.
_CONSTRUCTIVE = frozenset(
    {"create", "add", "update", "set", "insert", "write", "generate", "make", "build", "compose", "assign", "apply"}
)
_PERSISTS = lazy_compile(
    r"\b(account|order|record|database|db|table|repo(sitory)?|file|disk|server|config(uration)?|user|system|service|"
    r"calendar|event|ticket|issue|comment|message|email|entry|entries|list|cart|profile|project|team|document|page|post|"
    r"alert|schedule|reservation|booking|subscription|payment|product|inventory|channel|workspace|store|storage|"
    r"bucket|cluster|instance|job|task|todo|note|memory|playlist|mapping|policy|credential|role|permission|group|"
    r"folder|directory|branch|label|webhook|device|vehicle|appliance|car|home|light|alarm|timer|reminder|contact|"
    r"customer|employee|member|invoice|transaction|wallet|portfolio|watchlist|queue|topic|index|site|website|cms|"
    r"environment|deployment|pipeline|workflow|registry|catalog|ledger|stock|shipment|delivery|gist|wiki)s?\b",
    re.IGNORECASE,
)


def _computes_a_value(tool: Tool, tokens: Sequence[str]) -> bool:
    verb = main_verb(tokens) or next(iter(words(str(tool.description or "")[:60])[:1]), "").rstrip("s")
    if verb not in _CONSTRUCTIVE:
        return False
    text = " ".join(words(str(tool.name))) + " " + (tool.description if isinstance(tool.description, str) else "")
    return not _PERSISTS.search(text)


def _risk_of(token: str) -> Risk | None:
    if token in DESTRUCTIVE_VERBS:
        return "destructive"
    if token in WRITE_VERBS:
        return "write"
    if token in READ_VERBS:
        return "read"
    return None


def main_verb(tokens: Sequence[str]) -> str | None:
    """The verb of a name: verb-first names (`get_issue`) lead with it, noun-first ones (`issue_write`,
    `pull_request_read`) end with it; otherwise the first verb anywhere (`team_api.delete_team`)."""
    if not tokens:
        return None
    for candidate in (tokens[0], tokens[-1]):
        if _risk_of(candidate):
            return candidate
    return next((t for t in tokens if _risk_of(t)), None)


def verb_risk(tokens: Sequence[str]) -> Risk | None:
    verb = main_verb(tokens)
    return _risk_of(verb) if verb else None


# Descriptions say "Runs a simulation" or "Executes the query" of pure computations as often as of actions,
# so these verbs decide a risk class only when they are in the tool's name.
_AMBIGUOUS_IN_DESCRIPTIONS = frozenset({"execute", "invoke", "trigger", "start", "request", "call", "apply", "process"})


def _description_risk(description: Any) -> Risk | None:
    if not isinstance(description, str):
        return None
    first = words(description[:60])[:1]
    if not first:
        return None
    word = first[0]
    for candidate in (word, word.removesuffix("s"), word.removesuffix("es")):
        if candidate in _AMBIGUOUS_IN_DESCRIPTIONS:
            return None
        risk = _risk_of(candidate)
        if risk:
            return risk
    return None


class RiskProfile(NamedTuple):
    risk: Risk
    risk_source: str
    approval: str | None  # "human", "parameter `confirm`", or None
    approval_source: str
    idempotency: str | None  # "natural", "key `request_id`", "annotation", or None
    idempotency_source: str
    missing_hints: tuple[str, ...] = ()  # MCP write tools: hints whose absence makes clients assume the worst


def _annotation_risk(annotations: dict[str, Any], tokens: Sequence[str]) -> tuple[Risk | None, tuple[str, ...]]:
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
        return ("destructive" if verb_risk(tokens) == "destructive" else "write"), ("destructiveHint",)
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


def profile(tool: Tool) -> RiskProfile:
    meta = tool.meta
    tokens = name_words(tool.name) if isinstance(tool.name, str) else ()
    missing: tuple[str, ...] = ()

    risk: Risk | None = meta.get("risk") if meta.get("risk") in RISKS else None
    source = "x-toollint.risk"
    annotations = tool.annotations
    if risk is None and annotations is not None:
        risk, missing = _annotation_risk(annotations, tokens)
        source = "MCP annotations"
    if risk is None:
        risk, source = verb_risk(tokens), "name"
    if risk is None:
        risk, source = _description_risk(tool.description), "description"
    if risk is None:
        risk, source = "read", "default"
    if risk == "write" and source in ("name", "description") and _computes_a_value(tool, tokens):
        risk, source = "read", f"{source}: computes a value"
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
    return RiskProfile(risk, source, approval, approval_source, idempotency, idempotency_source, missing)
