"""Scoring one run: the `$`-matcher language, calls matched by maximum bipartite matching, order, caps and the final
answer. Every check yields a `Check` with a reason a reader can act on (expected ... / got ...)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from toollint.eval.format import Case, ExpectedCall, ToolDef


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Call:
    id: str
    name: str
    args: Any  # a dict, or the raw text when the model sent arguments that are not JSON
    step: int


@dataclass(frozen=True)
class Step:
    text: str
    calls: tuple[Call, ...]
    stop_reason: str


@dataclass(frozen=True)
class Transcript:
    steps: tuple[Step, ...]
    turn_cap: bool = False  # the run hit `max_turns` while the model still wanted tools
    stopped_on: str | None = None  # why the tool loop stopped early (unscripted tool with `fail_run`/`stop`)

    @property
    def calls(self) -> list[Call]:
        return [c for s in self.steps for c in s.calls]

    @property
    def final_text(self) -> str:
        return self.steps[-1].text if self.steps else ""

    @property
    def stop_reason(self) -> str:
        return self.steps[-1].stop_reason if self.steps else ""


@dataclass(frozen=True)
class Check:
    id: str
    passed: bool
    reason: str = ""
    diff: tuple[str, ...] = field(default_factory=tuple)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_operator(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(k, str) and k.startswith("$") for k in value)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def equal(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but a boolean is never a number and "1" is never 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


_LOOSE = re.compile(r"[\s,./\-_*^]")


def match(expected: Any, actual: Any, mode: str = "subset") -> str | None:
    """None when `actual` fits `expected`, else why not (`expected ..., got ...`)."""
    if is_operator(expected):
        return _operator(expected, actual, mode)
    if actual is ABSENT:
        return f"expected {show(expected)}, got (absent)"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"expected an object, got {show(actual)}"
        problems = _mapping(expected, actual, mode)
        return "; ".join(problems) if problems else None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"expected {show(expected)}, got {show(actual)}"
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            problem = match(e, a, mode)
            if problem:
                return f"[{index}]: {problem}"
        return None
    return None if equal(expected, actual) else f"expected {show(expected)}, got {show(actual)}"


def _mapping(expected: dict[str, Any], actual: dict[str, Any], mode: str) -> list[str]:
    problems = []
    for key, want in expected.items():
        problem = match(want, actual.get(key, ABSENT), mode)
        if problem:
            problems.append(f"{key}: {problem}")
    if mode == "exact":
        for key in actual.keys() - expected.keys():
            problems.append(f"{key}: not expected, got {show(actual[key])}")
    return problems


def _operator(spec: dict[str, Any], actual: Any, mode: str) -> str | None:
    for op, operand in spec.items():
        problem = _one(op, operand, actual, mode, spec)
        if problem:
            return problem
    return None


def _one(op: str, operand: Any, actual: Any, mode: str, spec: dict[str, Any]) -> str | None:  # noqa: C901
    if op == "$absent":
        return None if (actual is ABSENT) == bool(operand) else f"expected {'absent' if operand else 'present'}"
    if op == "$any" and operand is True:
        return None if actual is not ABSENT else "expected a value, got (absent)"
    if op == "$in":
        if actual is ABSENT:
            return None if "$absent" in operand else f"expected one of {show(operand)}, got (absent)"
        return (
            None
            if any(o != "$absent" and match(o, actual, mode) is None for o in operand)
            else (f"expected one of {show(operand)}, got {show(actual)}")
        )
    if op == "$not":
        return f"expected not {show(operand)}, got {show(actual)}" if match(operand, actual, mode) is None else None
    if op == "$all":
        return next((p for p in (match(o, actual, mode) for o in operand) if p), None)
    if op == "$any":
        problems = [match(o, actual, mode) for o in operand]
        return None if any(p is None for p in problems) else f"none of {show(operand)} matched {show(actual)}"
    if actual is ABSENT:
        return f"expected {show(spec)}, got (absent)"
    if op in ("$eq", "$ne"):
        same = match(operand, actual, mode) is None
        return (
            None
            if same == (op == "$eq")
            else f"expected {'' if op == '$eq' else 'not '}{show(operand)}, got {show(actual)}"
        )
    if op in ("$regex", "$contains", "$icontains", "$startswith"):
        if not isinstance(actual, str):
            return f"expected a string for `{op}`, got {show(actual)}"
        ok = {
            "$regex": lambda: re.search(operand, actual) is not None,
            "$contains": lambda: str(operand) in actual,
            "$icontains": lambda: str(operand).casefold() in actual.casefold(),
            "$startswith": lambda: actual.startswith(str(operand)),
        }[op]()
        return None if ok else f"expected {op[1:]} {show(operand)}, got {show(actual)}"
    if op in ("$gt", "$gte", "$lt", "$lte"):
        if not _is_number(actual):
            return f"expected a number, got {show(actual)}"
        compared = {
            "$gt": actual > operand,
            "$gte": actual >= operand,
            "$lt": actual < operand,
            "$lte": actual <= operand,
        }
        return None if compared[op] else f"expected {op[1:]} {operand}, got {show(actual)}"
    if op == "$approx":
        tol = operand.get("tol", 1e-9)
        if _is_number(actual) and abs(actual - operand["value"]) <= tol:
            return None
        return f"expected {operand['value']} ± {tol}, got {show(actual)}"
    if op == "$len":
        if not isinstance(actual, (str, list, dict)):
            return f"expected something with a length, got {show(actual)}"
        want = operand if is_operator(operand) else {"$eq": operand}
        problem = _operator(want, len(actual), mode)
        return f"length {len(actual)}: {problem}" if problem else None
    if op == "$type":
        kind = _json_type(actual)
        ok = kind == operand or (operand == "number" and kind == "integer")
        return None if ok else f"expected a {operand}, got {show(actual)}"
    if op == "$schema":
        from jsonschema import validators

        errors = sorted(validators.validator_for(operand)(operand).iter_errors(actual), key=str)
        return f"does not fit the schema: {errors[0].message}" if errors else None
    if op == "$unordered":
        if not isinstance(actual, list) or len(actual) != len(operand):
            return f"expected {show(operand)} in any order, got {show(actual)}"
        return None if _perfect(operand, actual, mode) else f"expected {show(operand)} in any order, got {show(actual)}"
    if op == "$each":
        if not isinstance(actual, list):
            return f"expected a list, got {show(actual)}"
        for index, item in enumerate(actual):
            problem = match(operand, item, mode)
            if problem:
                return f"[{index}]: {problem}"
        return None
    if op == "$norm":
        value = operand
        if not isinstance(actual, str) or not isinstance(value, str):
            return f"expected {show(value)}, got {show(actual)}"
        loose = _LOOSE.sub("", actual).casefold() == _LOOSE.sub("", value).casefold()
        return None if loose else f"expected {show(value)} (loosely), got {show(actual)}"
    return f"unknown matcher `{op}`"


def _perfect(expected: list[Any], actual: list[Any], mode: str) -> bool:
    edges = [[j for j, a in enumerate(actual) if match(e, a, mode) is None] for e in expected]
    return len(_max_matching(edges, len(actual))) == len(expected)


def _max_matching(edges: list[list[int]], right: int) -> dict[int, int]:
    """Maximum bipartite matching by augmenting paths (Kuhn); sizes are a handful of calls. Left index -> right."""
    owner: list[int | None] = [None] * right

    def augment(left: int, seen: set[int]) -> bool:
        for r in edges[left]:
            if r in seen:
                continue
            seen.add(r)
            current = owner[r]
            if current is None or augment(current, seen):
                owner[r] = left
                return True
        return False

    for left in range(len(edges)):
        augment(left, set())
    return {left: r for r, left in enumerate(owner) if left is not None}


def call_problem(expected: ExpectedCall, call: Call) -> str | None:
    """None when the actual call satisfies the expected entry (name and arguments)."""
    name_problem = match(expected.name, call.name)
    if name_problem:
        return f"name: {name_problem}"
    if expected.args is None:
        return None
    if not isinstance(call.args, dict):
        return f"arguments are not a JSON object: {show(call.args)}"
    args = {k: v for k, v in call.args.items() if k not in expected.ignore}
    want = {k: v for k, v in expected.args.items() if k not in expected.ignore}
    if expected.args_mode == "exact":
        args = {
            k: v
            for k, v in args.items()
            if k in want or not (k in expected.defaults and equal(v, expected.defaults[k]))
        }
    problems = _mapping(want, args, expected.args_mode)
    return "; ".join(problems) if problems else None


def score(case: Case, transcript: Transcript) -> list[Check]:
    """Every check of one run, passed or not; the run passes when all of them pass."""
    checks: list[Check] = []
    calls = transcript.calls
    if case.validate_calls:
        checks.extend(_validate(case.tools, calls))
    if transcript.stopped_on:
        checks.append(Check("tool_loop", False, transcript.stopped_on))
    checks.extend(_calls(case, calls))
    checks.extend(_not_called(case, calls))
    expect = case.expect
    if expect.max_tool_calls is not None:
        ok = len(calls) <= expect.max_tool_calls
        label = "no_tool_calls" if expect.max_tool_calls == 0 else "max_tool_calls"
        names = ", ".join(f"`{c.name}`" for c in calls[:5])
        checks.append(
            Check(label, ok, "" if ok else f"expected at most {expect.max_tool_calls} calls, got {len(calls)}: {names}")
        )
    if expect.min_tool_calls is not None:
        ok = len(calls) >= expect.min_tool_calls
        checks.append(
            Check(
                "min_tool_calls", ok, "" if ok else f"expected at least {expect.min_tool_calls} calls, got {len(calls)}"
            )
        )
    checks.extend(_final(expect.final, transcript))
    return checks


def _validate(tools: tuple[ToolDef, ...], calls: list[Call]) -> Iterator[Check]:
    from jsonschema import validators

    by_name = {t.name: t for t in tools}
    for index, call in enumerate(calls):
        label = f"valid_call[{index}]"
        tool = by_name.get(call.name)
        if tool is None:
            yield Check(
                label, False, f"hallucinated tool: the model called `{call.name}`, which is not among the case's tools"
            )
            continue
        if not isinstance(call.args, dict):
            yield Check(
                label, False, f"`{call.name}` was called with arguments that are not a JSON object: {show(call.args)}"
            )
            continue
        try:
            validator = validators.validator_for(tool.input_schema)(tool.input_schema)
            errors = sorted(validator.iter_errors(call.args), key=lambda e: list(e.absolute_path))
        except Exception as exc:  # a schema jsonschema cannot use is reported by `check`; here it must not crash a run
            yield Check(label, False, f"`{call.name}`'s input schema cannot be used to validate: {exc}")
            continue
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path) or "(root)"
            yield Check(label, False, f"`{call.name}` call violates its input schema at {where}: {errors[0].message}")


def _calls(case: Case, calls: list[Call]) -> Iterator[Check]:
    expected = case.expect.calls
    if not expected:
        if case.expect.extra_calls == "forbid" and calls:
            yield Check("extra_calls", False, f"no calls expected, got `{calls[0].name}`")
        return
    # each entry becomes one slot per call it may take: its required slots first, so that augmenting paths
    # (which never unmatch a slot) give required calls priority over optional ones
    required = [i for i, entry in enumerate(expected) for _ in range(entry.times_min)]
    optional = [
        i
        for i, entry in enumerate(expected)
        for _ in range((entry.times_max if entry.times_max is not None else len(calls)) - entry.times_min)
    ]
    slots = required + optional
    fits = [[j for j, call in enumerate(calls) if call_problem(entry, call) is None] for entry in expected]
    matching = _max_matching([fits[i] for i in slots], len(calls))
    taken: dict[int, list[int]] = {}
    for slot, call_index in matching.items():
        taken.setdefault(slots[slot], []).append(call_index)
    for index, entry in enumerate(expected):
        got = sorted(taken.get(index, []))
        label = f"calls[{index}]"
        if len(got) >= entry.times_min:
            yield Check(label, True)
            continue
        yield _unmatched(label, entry, got, calls)
    matched = {j for js in taken.values() for j in js}
    if case.expect.extra_calls == "forbid":
        extra = [calls[j] for j in range(len(calls)) if j not in matched]
        yield Check(
            "extra_calls",
            not extra,
            "" if not extra else f"unexpected call `{extra[0].name}` with {show(extra[0].args)} (extra_calls: forbid)",
        )
    if case.expect.order in ("in_order", "exact"):
        yield _order(expected, taken, calls)


def _unmatched(label: str, entry: ExpectedCall, got: list[int], calls: list[Call]) -> Check:
    want = f"{entry.times_min}" + ("" if entry.times_max == entry.times_min else "+")
    head = f"expected `{entry.label()}` {want} time(s), matched {len(got)}"
    same_name = [c for c in calls if match(entry.name, c.name) is None]
    if not same_name:
        names = ", ".join(sorted({f"`{c.name}`" for c in calls})) or "no tool"
        return Check(label, False, f"{head}; the model called {names}")
    closest = min(same_name, key=lambda c: len((call_problem(entry, c) or "").split("; ")))
    problem = call_problem(entry, closest) or ""
    return Check(
        label, False, f"{head}; closest call {show(closest.args)}", tuple(problem.split("; ")) if problem else ()
    )


def _order(expected: tuple[ExpectedCall, ...], taken: dict[int, list[int]], calls: list[Call]) -> Check:
    last_step = -1
    last_label = ""
    for index, entry in enumerate(expected):
        steps = [calls[j].step for j in taken.get(index, [])]
        if not steps:
            continue
        if min(steps) < last_step:
            return Check("order", False, f"`{entry.label()}` was called before `{last_label}`; expected in this order")
        last_step = max(steps)
        last_label = entry.label()
    return Check("order", True)


def _not_called(case: Case, calls: list[Call]) -> Iterator[Check]:
    for index, (name, args) in enumerate(case.expect.not_called):
        pattern = ExpectedCall(name, args)
        hit = next((c for c in calls if call_problem(pattern, c) is None), None)
        label = f"not_called[{index}]"
        if hit is None:
            yield Check(label, True)
        else:
            yield Check(label, False, f"`{hit.name}` was called with {show(hit.args)}, which the case forbids")


def _final(final: dict[str, Any], transcript: Transcript) -> Iterator[Check]:
    text = transcript.final_text
    stop = transcript.stop_reason
    if transcript.turn_cap:
        yield Check("final.stop_reason", False, "the run hit `max_turns` while the model still called tools")
        return
    want = final.get("stop_reason", "end_turn")
    wanted = want if isinstance(want, list) else [want]
    yield Check(
        "final.stop_reason", stop in wanted, "" if stop in wanted else f"expected stop_reason {want}, got {stop}"
    )
    lowered = text.casefold()
    for key, value in final.items():
        label = f"final.{key}"
        if key == "stop_reason":
            continue
        values = value if isinstance(value, list) else [value]
        if key == "equals":
            ok, why = text.strip() == str(value).strip(), f"expected the answer {show(value)}"
        elif key in ("contains", "contains_all"):
            missing = [v for v in values if str(v) not in text]
            ok, why = not missing, f"the answer does not contain {show(missing[0]) if missing else ''}"
        elif key == "icontains":
            missing = [v for v in values if str(v).casefold() not in lowered]
            ok, why = not missing, f"the answer does not contain {show(missing[0]) if missing else ''} (any case)"
        elif key == "contains_any":
            ok, why = any(str(v) in text for v in values), f"the answer contains none of {show(values)}"
        elif key == "not_contains":
            found = [v for v in values if str(v).casefold() in lowered]
            ok, why = not found, f"the answer contains {show(found[0]) if found else ''}"
        elif key == "regex":
            ok, why = re.search(str(value), text) is not None, f"the answer does not match /{value}/"
        elif key == "not_regex":
            ok, why = re.search(str(value), text) is None, f"the answer matches /{value}/"
        elif key == "max_chars":
            ok, why = len(text) <= int(value), f"the answer has {len(text)} characters, more than {value}"
        elif key == "json_schema":
            problem = _json_answer(value, text)
            ok, why = problem is None, problem or ""
        else:
            continue
        yield Check(label, ok, "" if ok else f"{why}; answer: {show(text)}")


def _json_answer(schema: Any, text: str) -> str | None:
    try:
        value = json.loads(text)
    except ValueError:
        return "the answer is not JSON"
    return _one("$schema", schema, value, "subset", {})


def scaled_min_passes(min_passes: int, repeats: int, runs: int) -> int:
    """The threshold for a pooled number of runs, same proportion as `min_passes` of `repeats`."""
    return math.ceil(min_passes * runs / repeats)
