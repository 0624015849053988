"""Eval-suite checks (TE001-TE003): cases that went stale against the current tools, found before any model runs."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from toollint.catalog.evals import EvalCase
from toollint.catalog.model import Tool
from toollint.diagnostics import Pointer, Violation

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _is_operator(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(k, str) and k.startswith("$") for k in value)


def _named(case: EvalCase) -> Iterator[tuple[str, Pointer]]:
    """Every literal tool name the case refers to, with where it is."""
    spec, at = case.spec, case.pointer
    expect = _dict(spec.get("expect"))
    for key in ("calls", "not_called"):
        for i, entry in enumerate(_list(expect.get(key))):
            if isinstance(entry, str):
                yield entry, at + ("expect", key, i)
            elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
                yield entry["name"], at + ("expect", key, i, "name")
    for i, rule in enumerate(_list(spec.get("tool_results"))):
        when = _dict(_dict(rule).get("when"))
        if isinstance(when.get("name"), str):
            yield when["name"], at + ("tool_results", i, "when", "name")


def _by_name(case: EvalCase) -> dict[str, Tool]:
    return {t.name: t for t in case.tools or () if isinstance(t.name, str)}


def eval_unknown_tool(case: EvalCase, ctx: RuleContext) -> Iterator[Violation]:
    for reference in case.missing:
        yield Violation(
            case.tools_pointer,
            f"case `{case.id}` runs with tools from `{reference}`, which does not exist; fix the `file://` path",
        )
    if case.tools is None:
        return
    tools = _by_name(case)
    for name, pointer in _named(case):
        if name in tools:
            continue
        close = difflib.get_close_matches(name, list(tools), n=1)
        hint = f"did you mean `{close[0]}`?" if close else "add the tool or fix the name"
        yield Violation(pointer, f"case `{case.id}` names tool `{name}`, which is not among its tools; {hint}")


def _literal(value: Any) -> bool:
    """A value the eval compares by equality, all the way down (no `$` matcher inside)."""
    if _is_operator(value):
        return False
    if isinstance(value, dict):
        return all(_literal(v) for v in value.values())
    if isinstance(value, list):
        return all(_literal(v) for v in value)
    return True


def _first_error(schema: Any, value: Any) -> str | None:
    from jsonschema import validators

    try:
        validator = validators.validator_for(schema)(schema)
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    except Exception:  # an unusable schema is TS001's finding, not this rule's
        return None
    if not errors:
        return None
    where = "/".join(str(p) for p in errors[0].absolute_path)
    return (f"at `{where}`: " if where else "") + errors[0].message


def eval_call_violates_input_schema(case: EvalCase, ctx: RuleContext) -> Iterator[Violation]:
    tools = _by_name(case)
    for i, call in enumerate(_list(_dict(case.spec.get("expect")).get("calls"))):
        args = _dict(call).get("args")
        tool = tools.get(str(call.get("name"))) if isinstance(args, dict) else None
        schema = tool.input_schema if tool is not None else None
        if tool is None or not isinstance(schema, dict) or not isinstance(args, dict):
            continue
        at = case.pointer + ("expect", "calls", i, "args")
        properties = _dict(schema.get("properties"))
        closed = schema.get("additionalProperties") is False
        ignored = _list(call.get("ignore"))
        for key, value in args.items():
            if key in ignored or _is_operator(value) and value.get("$absent") is True:
                continue
            if key not in properties:
                if closed:
                    close = difflib.get_close_matches(str(key), [str(p) for p in properties], n=1)
                    hint = f"; `{tool.display_name}` now has `{close[0]}`" if close else ""
                    yield Violation(
                        at + (key,),
                        f"case `{case.id}` expects `{key}` in a call to `{tool.display_name}`, "
                        f"which its input schema does not allow{hint}; update the case",
                        anchor="key",
                    )
                continue
            if _literal(value):
                problem = _first_error(properties[key], value)
                if problem:
                    yield Violation(
                        at + (key,),
                        f"case `{case.id}` expects `{key}` = {json.dumps(value, default=str)[:60]}, which "
                        f"`{tool.display_name}`'s input schema rejects ({problem}); update the case",
                    )
        if call.get("args_mode") == "exact":
            for name in _list(schema.get("required")):
                if name not in args and name not in ignored:
                    yield Violation(
                        at,
                        f"case `{case.id}` expects exactly these arguments, but `{tool.display_name}` "
                        f"requires `{name}`, so no valid call can match; add it or use `args_mode: subset`",
                        anchor="key",
                    )


def eval_result_violates_output_schema(case: EvalCase, ctx: RuleContext) -> Iterator[Violation]:
    tools = _by_name(case)
    for i, rule in enumerate(_list(case.spec.get("tool_results"))):
        if not isinstance(rule, dict) or rule.get("is_error") is True:
            continue  # an error result is not the tool's response shape
        tool = tools.get(str(_dict(rule.get("when")).get("name")))
        schema = tool.output_schema if tool is not None else None
        if tool is None or not isinstance(schema, dict):
            continue
        if "results" in rule and isinstance(rule["results"], list):
            values = [
                (rule["results"][j], case.pointer + ("tool_results", i, "results", j))
                for j in range(len(rule["results"]))
            ]
        elif "result" in rule:
            values = [(rule["result"], case.pointer + ("tool_results", i, "result"))]
        else:
            continue
        for value, pointer in values:
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    continue  # a text result has no shape to compare
            problem = _first_error(schema, value)
            if problem:
                yield Violation(
                    pointer,
                    f"case `{case.id}` scripts a `{tool.display_name}` result that its output schema rejects "
                    f"({problem}); the model is tested on data the tool cannot return, update the result",
                )
