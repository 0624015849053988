"""Generic functions for rule packs written as data: pattern, length, truthy, enum, casing.

A pack rule says which field of its target to read (`then.field`, dotted) and which function judges it,
in the manner of Spectral's `given`/`then`. Tools expose `name`, `description`, `input_schema`,
`output_schema` and any key of their definition; parameters expose `name` and any schema key; prompts `text`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Parameter, Prompt, Tool
from toollint.diagnostics import Pointer, Violation

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext, RuleSpec

_MISSING = object()
_CASES = {
    "snake": r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$",
    "camel": r"^[a-z][a-zA-Z0-9]*$",
    "pascal": r"^[A-Z][a-zA-Z0-9]*$",
    "kebab": r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
    "macro": r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$",
    "flat": r"^[a-z][a-z0-9]*$",
}


def _pattern(value: Any, options: Mapping[str, Any]) -> str | None:
    if value is _MISSING:
        return None
    if not isinstance(value, str):
        return "is not a string"
    if "match" in options and not re.search(options["match"], value):
        return f"does not match `{options['match']}`"
    if "notMatch" in options and re.search(options["notMatch"], value):
        return f"matches `{options['notMatch']}`"
    return None


def _length(value: Any, options: Mapping[str, Any]) -> str | None:
    if value is _MISSING or not hasattr(value, "__len__"):
        return None
    size = len(value)
    if "min" in options and size < options["min"]:
        return f"is shorter than {options['min']}"
    if "max" in options and size > options["max"]:
        return f"is longer than {options['max']}"
    return None


def _truthy(value: Any, options: Mapping[str, Any]) -> str | None:
    if value is _MISSING or not value or (isinstance(value, str) and not value.strip()):
        return "is missing or empty"
    return None


def _enum(value: Any, options: Mapping[str, Any]) -> str | None:
    if value is _MISSING:
        return None
    allowed = options.get("values", [])
    return None if value in allowed else f"is not one of {', '.join(map(str, allowed))}"


def _casing(value: Any, options: Mapping[str, Any]) -> str | None:
    if value is _MISSING or not isinstance(value, str):
        return None
    case = options.get("type", "snake")
    return None if re.match(_CASES[case], value) else f"is not {case} case"


FUNCTIONS: dict[str, tuple[Callable[[Any, Mapping[str, Any]], str | None], dict[str, type | tuple[type, ...]]]] = {
    "pattern": (_pattern, {"match": str, "notMatch": str}),
    "length": (_length, {"min": int, "max": int}),
    "truthy": (_truthy, {}),
    "enum": (_enum, {"values": list}),
    "casing": (_casing, {"type": str}),
}


def validate_then(then: Any) -> str | None:
    """Why a rule's `then` block is unusable, or None."""
    if not isinstance(then, dict):
        return "`then` must be a mapping with `function` and optional `field` and `options`"
    unknown = set(then) - {"field", "function", "options"}
    if unknown:
        return f"unknown key `{sorted(unknown)[0]}` in `then`"
    function = then.get("function")
    if function not in FUNCTIONS:
        return f"`then.function` must be one of {', '.join(FUNCTIONS)}"
    options = then.get("options") or {}
    if not isinstance(options, dict):
        return "`then.options` must be a mapping"
    allowed = FUNCTIONS[function][1]
    for key, value in options.items():
        if key not in allowed:
            return f"function `{function}` has no option `{key}` (options: {', '.join(allowed) or 'none'})"
        if not isinstance(value, allowed[key]) or isinstance(value, bool):
            return f"option `{key}` of `{function}` has the wrong type"
    for key in ("match", "notMatch"):
        if key in options:
            try:
                re.compile(options[key])
            except (re.error, OverflowError) as exc:  # OverflowError: a repetition count such as `a{4294967295}`
                return f"`{key}` is not a valid regular expression: {exc}"
    if function == "casing" and options.get("type", "snake") not in _CASES:
        return f"casing `type` must be one of {', '.join(_CASES)}"
    if function == "pattern" and not ({"match", "notMatch"} & set(options)):
        return "function `pattern` needs `match` or `notMatch`"
    return None


def _field(subject: Any, dotted: str | None) -> tuple[Any, Pointer, str]:
    """The value of a dotted field of a catalog element, its pointer and a label for messages."""
    if isinstance(subject, Tool):
        base, label, pointer = subject.spec, subject.display_name, subject.spec_pointer
        if dotted and dotted.split(".")[0] == "input_schema" and subject.input_key:
            dotted = subject.input_key + dotted[len("input_schema") :]
    elif isinstance(subject, Parameter):
        if dotted == "name":
            return subject.name, subject.pointer, subject.qualified_name
        base, label, pointer = subject.schema, subject.qualified_name, subject.pointer
    elif isinstance(subject, Prompt):
        return (subject.text if dotted in (None, "text") else _MISSING), subject.pointer, subject.path
    else:
        return _MISSING, (), ""
    value: Any = base
    for part in dotted.split(".") if dotted else []:
        if isinstance(value, dict) and part in value:
            value, pointer = value[part], pointer + (part,)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value, pointer = value[int(part)], pointer + (int(part),)
        else:
            return _MISSING, pointer, label
    return value, pointer, label


def generic_check(rule: RuleSpec) -> Callable[[Any, RuleContext], Iterator[Violation]]:
    assert rule.then is not None
    function, _ = FUNCTIONS[rule.then["function"]]
    field = rule.then.get("field")
    options = rule.then.get("options") or {}

    def check(subject: Any, ctx: RuleContext) -> Iterator[Violation]:
        value, pointer, label = _field(subject, field)
        problem = function(value, options)
        if problem is None:
            return
        shown = value if isinstance(value, (str, int, float)) and value is not _MISSING else ""
        where = f"`{field}` of `{label}`" if field else f"`{label}`"
        template = rule.message or "{where} {problem}"
        message = template.replace("{where}", where).replace("{problem}", problem).replace("{value}", str(shown))
        message = message.replace("{name}", label)
        yield Violation(pointer, message)

    return check
