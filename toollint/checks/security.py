"""Security checks (TR005-TR007): access rules that only live in prose, poisoned descriptions, and secrets."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Tool
from toollint.catalog.risk import words
from toollint.diagnostics import Pointer, Violation
from toollint.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext

_MAX_DEPTH = 32

_AUTHORIZATION = lazy_compile(
    r"\bonly\s+(?:use\s+(?:this|it)\s+)?(?:for|to|by|when|if)\s+(?:the\s+)?(?:authors?|admins?|administrators?|managers?|owners?|"
    r"authori[sz]ed|internal|verified|privileged|the\s+(?:current\s+)?user'?s?\s+own)\b"
    r"|\b(?:admins?|administrators?|managers?|staff|internal)[\s-]+only\b"
    r"|\b(?:never|do\s+not|don'?t|must\s+not)\s+(?:share|reveal|return|expose|disclose|show|leak|output|include)\b"
    r"|\bonly\s+(?:if|when)\s+the\s+(?:user|caller|requester)\s+(?:is|has)\b"
    r"|\b(?:restricted|limited)\s+to\s+(?:admins?|administrators?|managers?|the\s+(?:user|owner)|authori[sz]ed)\b"
    r"|\bfor\s+the\s+(?:current\s+)?user'?s\s+own\s+(?:records?|accounts?|data)\b",
    re.IGNORECASE,
)

_INVISIBLE = lazy_compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
_POISON = lazy_compile(
    r"<\s*/?\s*(?:important|system|instructions?|secret|hidden)\s*>"
    r"|\bignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|other)\s+(?:instructions|rules|prompts?)\b"
    r"|\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention|notify|alert|show)\s+(?:this\s+to\s+)?(?:the\s+)?user\b"
    r"|\bwithout\s+(?:telling|informing|notifying|alerting)\s+(?:the\s+)?user\b"
    r"|\b(?:read|open|cat|send|upload|include|pass|attach|forward)\b[^.]{0,60}(?:~/\.ssh|id_rsa|\.env\b|/etc/passwd|"
    r"private\s+key|mcp\.json|\.aws/credentials|credentials\s+file)"
    r"|\bbefore\s+(?:using|calling)\s+(?:this|any\s+other)\s+tool,?\s+(?:you\s+must|first|always)\b",
    re.IGNORECASE,
)

# Provider key formats: (label, pattern)
_KEY_FORMATS = (
    ("Anthropic API key", lazy_compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}")),
    ("OpenAI API key", lazy_compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}")),
    ("AWS access key id", lazy_compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", lazy_compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("Slack token", lazy_compile(r"\bxox[abprs]-[A-Za-z0-9-]{20,}")),
    ("Google API key", lazy_compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("Stripe live key", lazy_compile(r"\b(?:sk|rk)_live_[0-9a-zA-Z]{20,}")),
    ("JSON Web Token", lazy_compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
    ("private key", lazy_compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY")),
)
_SECRET_NAMES = frozenset(
    {"password", "passwd", "secret", "token", "apikey", "api", "key", "credential", "credentials", "auth", "bearer"}
)
_PLACEHOLDER = lazy_compile(
    r"x{3,}|\*{3,}|<[^>]*>|\{\{|\$\{|your|example|placeholder|dummy|sample|changeme|redacted|test", re.IGNORECASE
)
_CONSTANT_NAME = lazy_compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")  # OPENAI_API_KEY names a secret; it is not one


def _strings(value: Any, at: Pointer, depth: int = 0) -> Iterator[tuple[str, Pointer]]:
    """Every string in a definition (keys excluded), skipping toollint's own metadata."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        yield value, at
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key != "x-toollint":
                yield from _strings(sub, at + (key,), depth + 1)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _strings(sub, at + (index,), depth + 1)


def _descriptions(tool: Tool) -> Iterator[tuple[str, Pointer]]:
    if isinstance(tool.description, str):
        yield tool.description, tool.at("description")
    for parameter in tool.parameters:
        if isinstance(parameter.schema, dict) and isinstance(parameter.schema.get("description"), str):
            yield parameter.schema["description"], parameter.pointer + ("description",)


# Literal words without which a pattern cannot match; `in` tests on the definition's text are nearly free.
_ROLE_MARKERS = ("admin", "manager", "owner", "author", "staff", "internal", "verified", "privileged", "own ")
_NEGATION_MARKERS = ("never", "do not", "don't", "must not")
_DISCLOSURE_MARKERS = ("share", "reveal", "return", "expose", "disclose", "show", "leak", "output", "include")
# Grouped under a substring they share, which is searched first: half the searches on a clean definition.
_POISON_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("<", ("<important", "<system", "<instruction", "<secret", "<hidden", "< important")),
    ("ignore", ()),
    (
        " user",
        (
            "tell the user",
            "inform the user",
            "mention to the user",
            "notify the user",
            "alert the user",
            "show the user",
            "tell user",
        ),
    ),
    ("without ", ("without telling", "without informing", "without notifying", "without alerting")),
    ("ssh", ()),
    ("id_rsa", ()),
    (".env", ()),
    ("passwd", ()),
    ("private key", ()),
    ("mcp.json", ()),
    ("credentials", ()),
    ("before ", ("before using", "before calling")),
)
_KEY_MARKERS = (
    "sk-",
    "akia",
    "asia",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "aiza",
    "_live_",
    "eyj",
    "private key",
)


def _may_contain(tool: Tool, markers: tuple[str, ...]) -> bool:
    text = tool.text
    return any(marker in text for marker in markers)


def _may_contain_grouped(tool: Tool, groups: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    text = tool.text
    for shared, markers in groups:
        if shared in text and (not markers or any(marker in text for marker in markers)):
            return True
    return False


def _may_state_access_rules(tool: Tool) -> bool:
    return (
        _may_contain(tool, _ROLE_MARKERS)
        or (_may_contain(tool, _NEGATION_MARKERS) and _may_contain(tool, _DISCLOSURE_MARKERS))
        or _may_contain(tool, ("only if the", "only when the"))
    )


def authorization_in_description(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    if not _may_state_access_rules(tool):
        return
    for text, pointer in _descriptions(tool):
        match = _AUTHORIZATION.search(text)
        if match:
            yield Violation(
                pointer,
                f'access rule in a description ("{match.group(0).strip()}"): the model is asked to enforce it, and nothing '
                "else does. Enforce it in the service, against the calling user's identity",
            )
            return


def hidden_instructions(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    if tool.text.isascii() and not _may_contain_grouped(tool, _POISON_MARKERS):
        return  # no invisible character can hide in ASCII, and no instruction lacks all the markers
    for text, pointer in _strings(tool.spec, tool.spec_pointer):
        invisible = _INVISIBLE.search(text)
        if invisible:
            code = f"U+{ord(invisible.group(0)):04X}"
            yield Violation(
                pointer,
                f"invisible or text-direction character {code} in the definition: it can hide instructions from reviewers; remove it",
            )
            continue
        poison = _POISON.search(text)
        if poison:
            yield Violation(
                pointer,
                f'instructions to the model hidden in the definition ("{poison.group(0).strip()[:60]}"): a tool definition '
                "should describe the tool, not direct the agent",
            )
    if isinstance(tool.name, str) and _INVISIBLE.search(tool.name):
        yield Violation(tool.at("name"), "invisible or text-direction character in the tool name")


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _mask(secret: str) -> str:
    return secret[:4] + "…" if len(secret) > 8 else "…"


_SAMPLE_KEYS = ("default", "example", "const")


def _sample_values(tool: Tool) -> Iterator[tuple[str, str, Pointer]]:
    """(parameter name, value, pointer) of string defaults, examples, consts and enum items of secret-named parameters."""
    for parameter in tool.parameters:
        schema = parameter.schema
        if not isinstance(schema, dict) or not set(words(parameter.name)) & _SECRET_NAMES:
            continue
        for key in _SAMPLE_KEYS:
            if isinstance(schema.get(key), str):
                yield parameter.name, schema[key], parameter.pointer + (key,)
        for key in ("examples", "enum"):
            values = schema.get(key)
            if isinstance(values, list):
                for index, value in enumerate(values):
                    if isinstance(value, str):
                        yield parameter.name, value, parameter.pointer + (key, index)


def secret_in_definition(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    threshold, minimum = ctx.options["min-entropy"], ctx.options["min-length"]
    found: list[tuple[str, str, Pointer]] = []
    if _may_contain(tool, _KEY_MARKERS):
        for text, pointer in _strings(tool.spec, tool.spec_pointer):
            for label, pattern in _KEY_FORMATS:
                match = pattern.search(text)
                if match:
                    found.append((label, match.group(0), pointer))
                    break
    seen = {pointer for _, _, pointer in found}
    for owner, value, pointer in _sample_values(tool):
        candidate = value.strip()
        if (
            pointer not in seen
            and len(candidate) >= minimum
            and " " not in candidate
            and not _PLACEHOLDER.search(candidate)
            and not _CONSTANT_NAME.match(candidate)
            and _entropy(candidate) >= threshold
        ):
            found.append((f"value of `{owner}`", candidate, pointer))
    for label, secret, pointer in found:
        yield Violation(
            pointer,
            f"{label} ({_mask(secret)}) in the tool definition: it is sent to the model provider with every request "
            "and readable by anyone with the repository; remove it and rotate it",
        )
