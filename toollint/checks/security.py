"""Security checks (TR005-TR007): access rules that only live in prose, poisoned descriptions, and secrets."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Agent, Tool
from toollint.catalog.risk import words
from toollint.diagnostics import Pointer, Violation
from toollint.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext

_MAX_DEPTH = 32


@lru_cache(maxsize=8)
def _authorization(roles: frozenset[str], patterns: tuple[str, ...]) -> re.Pattern[str]:
    """Phrases that restrict who may use a tool or see its data: the vocabulary's `authorization-patterns`, with
    `{role}` standing for any of its roles."""
    role = "(?:" + "|".join(re.escape(r) for r in sorted(roles, key=len, reverse=True)) + ")"
    return re.compile("|".join(p.replace("{role}", role) for p in patterns), re.IGNORECASE)


@lru_cache(maxsize=8)
def _poison(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """Instructions to the model hidden in a definition: the vocabulary's `poisoning-patterns`."""
    return re.compile("|".join(patterns), re.IGNORECASE)


_INVISIBLE = lazy_compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
# ANSI escape sequences: in a terminal they recolour, move the cursor or erase text, so a reviewer reading the
# definition in one sees something other than what the model gets
_ANSI = lazy_compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")

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
_NEGATION_MARKERS = ("never", "do not", "don't", "must not")
_DISCLOSURE_MARKERS = ("share", "reveal", "expose", "disclose", "leak")
# Grouped under a substring they share, which is searched first: half the searches on a clean definition.
_POISON_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("<", ("<important", "<system", "<instruction", "<secret", "<hidden", "< important")),
    ("ignore", ()),
    ("disregard", ()),
    ("forget", ()),
    ("override", ()),
    ("bypass", ()),
    ("you", ("grants you", "grant you", "gives you", "give you", "you now", "you have", "you are now")),
    ("\\u001b", ()),
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
    ("before ", ("before using any other", "before calling any other")),
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


def _builtin_patterns(ctx: RuleContext, field: str) -> bool:
    """True when the vocabulary in force has the built-in patterns of `field`, so that the substring markers
    above, written for them, may rule a definition out; a config's own pattern has no markers here."""
    if ctx.vocabulary is None:
        return True
    from toollint.catalog.vocabulary import builtin

    return bool(getattr(ctx.vocabulary, field) == getattr(builtin(), field))


def _may_state_access_rules(tool: Tool) -> bool:
    return _may_contain(tool, ("only", "own ", "restricted to", "limited to")) or (
        _may_contain(tool, _NEGATION_MARKERS) and _may_contain(tool, _DISCLOSURE_MARKERS)
    )


def authorization_in_description(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    if not _may_state_access_rules(tool) and _builtin_patterns(ctx, "authorization_patterns"):
        return
    pattern = _authorization(ctx.words.authorization_roles, ctx.words.authorization_patterns)
    for text, pointer in _descriptions(tool):
        match = pattern.search(text)
        if match:
            yield Violation(
                pointer,
                f'access rule in a description ("{match.group(0).strip()}"): the model is asked to enforce it, and nothing '
                "else does. Enforce it in the service, against the calling user's identity",
            )
            return


def hidden_instructions(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    if (
        tool.text.isascii()
        and not _may_contain_grouped(tool, _POISON_MARKERS)
        and _builtin_patterns(ctx, "poisoning_patterns")
    ):
        return  # no invisible character can hide in ASCII, and no instruction lacks all the markers
    poisoning = _poison(ctx.words.poisoning_patterns)
    for text, pointer in _strings(tool.spec, tool.spec_pointer):
        if "\x1b" in text and _ANSI.search(text):
            yield Violation(
                pointer,
                "ANSI escape sequence in the definition: in a terminal it can recolour or erase text, hiding "
                "instructions from reviewers; remove it",
            )
            continue
        invisible = _INVISIBLE.search(text)
        if invisible:
            code = f"U+{ord(invisible.group(0)):04X}"
            yield Violation(
                pointer,
                f"invisible or text-direction character {code} in the definition: it can hide instructions from reviewers; remove it",
            )
            continue
        poison = poisoning.search(text)
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


def _sample_values(tool: Tool, names: frozenset[str]) -> Iterator[tuple[str, str, Pointer]]:
    """(parameter name, value, pointer) of string defaults, examples, consts and enum items of secret-named parameters."""
    for parameter in tool.parameters:
        schema = parameter.schema
        if not isinstance(schema, dict) or not set(words(parameter.name)) & names:
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


# `password=hunter2!`, `"api_key": "..."` written inside a string; the value must look like a secret, not a word
_ASSIGNED_SECRET = lazy_compile(
    r"\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)[\"']?\s*[=:]\s*"
    r"[\"']?(?P<value>[^\s\"'&;,<>{}()\[\]]{6,})",
    re.IGNORECASE,
)
# credentials inside a URL: postgres://admin:s3cret@db.internal:5432/app
_URL_CREDENTIALS = lazy_compile(r"\b[a-z][a-z0-9+.-]{1,20}://[^/\s:@\"'<>]{1,64}:(?P<value>[^/\s@\"'<>]{2,128})@[\w.-]")
_PLACEHOLDER_VALUE = lazy_compile(
    r"^(?:pass(?:word)?|passwd|pwd|secret|token|key|changeme|admin|root|user(?:name)?|null|none|true|false|string|"
    r"required|optional|\*+|x+|\.+)$",
    re.IGNORECASE,
)
_SECRET_MARKERS = ("password", "passwd", "pwd", "secret", "api_key", "api-key", "apikey", "token", "://")


_PLACEHOLDER_PART = frozenset(
    {"key", "pass", "password", "passwd", "pwd", "secret", "token", "api", "provider", "proxy", "env", "var", "value"}
)
_CODE_PATH = lazy_compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")  # os.getenv, settings.api_key


def _looks_like_a_secret(value: str, label: str) -> bool:
    """A value that is a real secret, not a placeholder (`provider-key`, `sk-tracing-123`, `<password>`), an
    environment variable or a name from code. A password in a URL may be short (`admin:pw@`); an assigned one
    must look made up: eight characters or more, letters with digits or symbols, no readable word as a part."""
    if (
        _PLACEHOLDER_VALUE.match(value)
        or _PLACEHOLDER.search(value)
        or _CONSTANT_NAME.match(value)
        or _CODE_PATH.match(value)
        or value.startswith(("$", "%", "{", "<"))
    ):
        return False
    if label == "password in a URL":
        return True
    parts = [p for p in re.split(r"[-_.:/]", value) if p]
    if any(p.lower() in _PLACEHOLDER_PART or (len(p) >= 4 and p.isalpha() and p.islower()) for p in parts):
        return False
    return len(value) >= 8 and not value.isalpha() and not value.isdigit()


def secrets_in(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(label, secret, start, end) of every secret in `text`, not just the first."""
    lowered = text.lower()
    taken: list[tuple[int, int]] = []  # an Anthropic key also matches the OpenAI format: report it once

    def fresh(start: int, end: int) -> bool:
        if any(start < e and s < end for s, e in taken):
            return False
        taken.append((start, end))
        return True

    if any(marker in lowered for marker in _KEY_MARKERS):
        for label, pattern in _KEY_FORMATS:
            for match in pattern.finditer(text):
                if fresh(match.start(), match.end()):
                    yield label, match.group(0), match.start(), match.end()
    if any(marker in lowered for marker in _SECRET_MARKERS):
        for label, pattern in (("password in a URL", _URL_CREDENTIALS), ("assigned secret", _ASSIGNED_SECRET)):
            for match in pattern.finditer(text):
                value = match.group("value")
                if _looks_like_a_secret(value, label) and fresh(match.start("value"), match.end("value")):
                    yield label, value, match.start("value"), match.end("value")


def _tool_secrets(tool: Tool, ctx: RuleContext) -> Iterator[tuple[str, str, Pointer]]:
    threshold, minimum = ctx.options["min-entropy"], ctx.options["min-length"]
    seen: set[Pointer] = set()
    if _may_contain(tool, _KEY_MARKERS + _SECRET_MARKERS):
        for text, pointer in _strings(tool.spec, tool.spec_pointer):
            for label, secret, _, _ in secrets_in(text):
                seen.add(pointer)
                yield label, secret, pointer
    names = ctx.words.secret_names
    for owner, value, pointer in _sample_values(tool, names):
        candidate = value.strip()
        if (
            pointer not in seen
            and len(candidate) >= minimum
            and " " not in candidate
            and not _PLACEHOLDER.search(candidate)
            and not _CONSTANT_NAME.match(candidate)
            and _entropy(candidate) >= threshold
        ):
            yield f"value of `{owner}`", candidate, pointer


def secret_in_definition(agent: Agent, ctx: RuleContext) -> Iterator[Violation]:
    """Secrets in the toolset's definitions and in the prompts its agent is given: both go to the provider.

    Runs on every agent, so a prompt that sees no toolset of its own is read too; tools only on toolsets, which
    hold each tool once."""
    for tool in agent.tools if agent.toolset else ():
        for label, secret, pointer in _tool_secrets(tool, ctx):
            yield Violation(
                pointer,
                f"{label} ({_mask(secret)}) in the tool definition: it is sent to the model provider with every request "
                "and readable by anyone with the repository; remove it and rotate it",
                path=tool.path,
            )
    for prompt in agent.prompts:
        for label, secret, start, end in secrets_in(prompt.text):
            yield Violation(
                prompt.pointer,
                f"{label} ({_mask(secret)}) in the prompt: it is sent to the model provider with every request and "
                "readable by anyone with the repository; remove it and rotate it",
                path=prompt.path,
                offsets=(start, end),
            )
