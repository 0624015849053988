"""Eval files: read a `*.eval.yaml` suite into frozen cases, or say where it is wrong (path:line:col) and how to fix it."""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toollint.catalog.evals import FILE_PREFIX
from toollint.diagnostics import Pointer
from toollint.loading.document import display_path

PROVIDERS = ("anthropic", "openai")
ORDERS = ("any", "in_order", "exact")
UNSCRIPTED = ("error_result", "fail_run", "stop")
OPERATORS = frozenset(
    "$eq $ne $in $regex $contains $icontains $startswith $gt $gte $lt $lte $approx $len $type $schema "
    "$unordered $each $all $any $not $absent $norm".split()
)
JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")
FINAL_KEYS = (
    "stop_reason equals contains contains_all contains_any icontains not_contains regex not_regex json_schema "
    "max_chars".split()
)
TARGET_KEYS = (
    "provider model max_tokens tool_choice extra_body timeout_s max_retries concurrency prompt_caching".split()
)
RUN_KEYS = "repeats min_passes max_turns on_unscripted_tool unscripted_result validate_calls confirm_repeats".split()
CASE_KEYS = "id description tags system tools history user tool_results expect critical flaky".split() + RUN_KEYS
EXPECT_KEYS = (
    "calls order extra_calls not_called max_tool_calls min_tool_calls no_tool_calls final critical repeats "
    "min_passes".split()
)
CALL_KEYS = ("name", "args", "args_mode", "ignore", "defaults", "times")
RESULT_KEYS = ("when", "result", "results", "is_error")
DEFAULT_UNSCRIPTED: Any = {"error": "tool unavailable in eval"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?^---[ \t]*\r?$\n?", re.DOTALL | re.MULTILINE)


class EvalFormatError(Exception):
    """A bad eval file: where, what is wrong, what to do."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path, self.line, self.column, self.message = path, line, column, message


@dataclass(frozen=True)
class ToolDef:
    """A tool as sent to a model, in the provider-neutral (Anthropic) shape, and where it is defined."""

    name: str
    description: str
    input_schema: dict[str, Any]
    output_schema: Any = None
    source: str = ""
    spec: dict[str, Any] = field(default_factory=dict, compare=False)  # the definition as written, for hashing

    def as_param(self) -> dict[str, Any]:
        param: dict[str, Any] = {"name": self.name, "input_schema": self.input_schema}
        if self.description:
            param["description"] = self.description
        return param


@dataclass(frozen=True)
class Target:
    provider: str = "anthropic"
    model: str | None = None
    max_tokens: int = 1024
    tool_choice: Any = None
    extra_body: dict[str, Any] = field(default_factory=dict)
    timeout_s: float = 60.0
    max_retries: int = 4
    concurrency: int = 4
    prompt_caching: bool = True


@dataclass(frozen=True)
class ExpectedCall:
    name: Any  # a string, or a matcher such as {$regex: ...}
    args: Any  # None: any arguments
    args_mode: str = "subset"
    ignore: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    times_min: int = 1
    times_max: int | None = 1

    def label(self) -> str:
        return self.name if isinstance(self.name, str) else json.dumps(self.name)


@dataclass(frozen=True)
class ResultRule:
    name: Any
    args: Any
    results: tuple[Any, ...]
    is_error: bool = False


@dataclass(frozen=True)
class Expect:
    calls: tuple[ExpectedCall, ...] = ()
    order: str = "any"
    extra_calls: str = "allow"
    not_called: tuple[tuple[Any, Any], ...] = ()  # (name, args or None)
    max_tool_calls: int | None = None
    min_tool_calls: int | None = None
    final: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    line: int
    suite: str
    system: str | None
    system_source: str | None
    tools: tuple[ToolDef, ...]
    history: tuple[dict[str, Any], ...]
    user: Any
    tool_results: tuple[ResultRule, ...]
    expect: Expect
    repeats: int
    min_passes: int
    max_turns: int
    on_unscripted_tool: str
    unscripted_result: Any
    validate_calls: bool
    critical: bool
    quarantine: bool
    confirm_repeats: int
    tags: tuple[str, ...]
    spec_hash: str

    @property
    def tool_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.tools)

    @property
    def tool_sources(self) -> tuple[str, ...]:
        return tuple(sorted({t.source for t in self.tools if t.source}))


@dataclass(frozen=True)
class Suite:
    path: str
    name: str
    target: Target
    cases: tuple[Case, ...]


class _Reader:
    """Validation with positions: every error is raised at the pointer it is about."""

    def __init__(self, path: str, locator: Any) -> None:
        self.path = path
        self.locator = locator

    def fail(self, pointer: Pointer, message: str, anchor: str = "value") -> EvalFormatError:
        span = self.locator.span(pointer, anchor) if self.locator is not None else None
        line, column = (span.line, span.column) if span is not None else (1, 1)
        return EvalFormatError(self.path, line, column, message)

    def mapping(self, value: Any, pointer: Pointer, allowed: Iterable[str], what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(pointer, f"{what} must be a mapping, not {_kind(value)}")
        allowed = tuple(allowed)
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean `{close[0]}`?" if close else f"allowed: {', '.join(allowed)}"
                raise self.fail(pointer + (key,), f"unknown key `{key}` in {what}; {hint}", "key")
        return value

    def integer(self, value: Any, pointer: Pointer, what: str, minimum: int = 0) -> int:
        if type(value) is not int or value < minimum:
            raise self.fail(pointer, f"`{what}` must be an integer of at least {minimum}, not {value!r}")
        return value

    def boolean(self, value: Any, pointer: Pointer, what: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(pointer, f"`{what}` must be true or false, not {value!r}")
        return value

    def choice(self, value: Any, pointer: Pointer, what: str, choices: tuple[str, ...]) -> str:
        if value not in choices:
            raise self.fail(pointer, f"`{what}` must be one of {', '.join(choices)}, not {value!r}")
        return str(value)

    def matcher(self, value: Any, pointer: Pointer) -> None:
        """Operators must be known and their operands well-formed; literals are anything."""
        if isinstance(value, list):
            for i, item in enumerate(value):
                self.matcher(item, pointer + (i,))
            return
        if not isinstance(value, dict):
            return
        keys = [k for k in value if isinstance(k, str)]
        operators = [k for k in keys if k.startswith("$")]
        if operators and len(operators) != len(value):
            raise self.fail(pointer, "a matcher mixes `$` operators and plain keys; put literals under `$eq`")
        if not operators:
            for key, item in value.items():
                self.matcher(item, pointer + (key,))
            return
        for key in operators:
            at = pointer + (key,)
            operand = value[key]
            if key not in OPERATORS:
                close = difflib.get_close_matches(key, sorted(OPERATORS), n=1)
                hint = f"did you mean `{close[0]}`?" if close else "see the README for the operators"
                raise self.fail(at, f"unknown matcher `{key}`; {hint}", "key")
            if key == "$regex":
                if not isinstance(operand, str):
                    raise self.fail(at, "`$regex` needs a string pattern")
                try:
                    re.compile(operand)
                except re.error as exc:
                    raise self.fail(at, f"invalid regular expression: {exc}") from None
            elif key in ("$in", "$unordered", "$all", "$any") and not isinstance(operand, list):
                if not (key == "$any" and operand is True):
                    raise self.fail(at, f"`{key}` needs a list")
            elif key == "$type" and operand not in JSON_TYPES:
                raise self.fail(at, f"`$type` must be one of {', '.join(JSON_TYPES)}")
            elif key == "$approx":
                if not isinstance(operand, dict) or not _is_number(operand.get("value")):
                    raise self.fail(at, "`$approx` needs `{value: <number>, tol: <number>}`")
            elif key in ("$gt", "$gte", "$lt", "$lte") and not _is_number(operand):
                raise self.fail(at, f"`{key}` needs a number")
            elif key == "$schema":
                _check_schema(self, operand, at)
            elif key in ("$each", "$not", "$all", "$any", "$len") and operand is not True:
                self.matcher(operand, at)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_schema(reader: _Reader, schema: Any, pointer: Pointer) -> None:
    import jsonschema

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise reader.fail(pointer, f"invalid JSON Schema: {exc.message}") from None


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", type(None): "empty"}.get(
        type(value), f"a {type(value).__name__}"
    )


def load_suite(path: Path) -> Suite:
    """Read one eval file. Raises EvalFormatError for anything wrong with it or the files it names."""
    from toollint.loading.document import decode
    from toollint.loading.yaml_source import YamlParseError, parse_yaml

    display = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EvalFormatError(display, 1, 1, f"cannot read eval file: {exc.strerror or exc}") from None
    text = decode(raw, display)
    if not isinstance(text, str):
        raise EvalFormatError(display, text.line, text.column, text.message)
    try:
        data, locator = parse_yaml(text)
    except YamlParseError as exc:
        raise EvalFormatError(display, exc.line, exc.column, f"invalid YAML: {exc.message}") from None
    return read_suite(display, data, locator, path)


def read_suite(display: str, data: Any, locator: Any, path: Path) -> Suite:
    reader = _Reader(display, locator)
    top = reader.mapping(data, (), ("version", "suite", "target", "defaults", "cases"), "the eval file")
    if top.get("version", 1) != 1:
        raise reader.fail(("version",), "only `version: 1` eval files are supported")
    suite_name = top.get("suite", path.name.removesuffix(".yaml").removesuffix(".yml").removesuffix(".eval"))
    if not isinstance(suite_name, str) or not suite_name:
        raise reader.fail(("suite",), "`suite` must be a non-empty string naming the suite")
    target = _target(reader, top.get("target", {}))
    defaults = reader.mapping(top.get("defaults", {}) or {}, ("defaults",), ("system", "tools", *RUN_KEYS), "defaults")
    cases_raw = top.get("cases")
    if not isinstance(cases_raw, list) or not cases_raw:
        raise reader.fail(("cases",) if "cases" in top else (), "the eval file needs a non-empty `cases` list")
    loader = _ToolLoader(reader, path)
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for index, raw_case in enumerate(cases_raw):
        case = _case(reader, loader, raw_case, ("cases", index), defaults, suite_name)
        if case.id in seen:
            raise reader.fail(("cases", index, "id"), f"duplicate case id `{case.id}` (first at line {seen[case.id]})")
        seen[case.id] = case.line
        cases.append(case)
    return Suite(display, suite_name, target, tuple(cases))


def _target(reader: _Reader, raw: Any) -> Target:
    at: Pointer = ("target",)
    raw = reader.mapping(raw or {}, at, TARGET_KEYS, "target")
    values: dict[str, Any] = {}
    if "provider" in raw:
        values["provider"] = reader.choice(raw["provider"], at + ("provider",), "provider", PROVIDERS)
    if "model" in raw:
        if not isinstance(raw["model"], str) or not raw["model"]:
            raise reader.fail(at + ("model",), "`model` must be a model name")
        values["model"] = raw["model"]
    for key in ("max_tokens", "max_retries", "concurrency"):
        if key in raw:
            values[key] = reader.integer(raw[key], at + (key,), key, 0 if key == "max_retries" else 1)
    if "timeout_s" in raw:
        if not _is_number(raw["timeout_s"]) or raw["timeout_s"] <= 0:
            raise reader.fail(at + ("timeout_s",), "`timeout_s` must be a positive number of seconds")
        values["timeout_s"] = float(raw["timeout_s"])
    if "prompt_caching" in raw:
        values["prompt_caching"] = reader.boolean(raw["prompt_caching"], at + ("prompt_caching",), "prompt_caching")
    if "extra_body" in raw:
        values["extra_body"] = dict(
            reader.mapping(raw["extra_body"], at + ("extra_body",), raw["extra_body"] or (), "extra_body")
        )
    if "tool_choice" in raw:
        choice = raw["tool_choice"]
        if isinstance(choice, str):
            choice = {"type": reader.choice(choice, at + ("tool_choice",), "tool_choice", ("auto", "any", "none"))}
        if not isinstance(choice, dict) or choice.get("type") not in ("auto", "any", "none", "tool"):
            raise reader.fail(at + ("tool_choice",), "`tool_choice` must be auto, any, none or {type: tool, name: ...}")
        values["tool_choice"] = choice
    return Target(**values)


class _ToolLoader:
    """Reads the tool files and prompt files an eval file names, once each."""

    def __init__(self, reader: _Reader, eval_path: Path) -> None:
        self.reader = reader
        self.folder = eval_path.parent
        self.tool_files: dict[str, tuple[ToolDef, ...]] = {}
        self.texts: dict[str, str] = {}

    def _file(self, reference: str, pointer: Pointer, what: str) -> Path:
        target = self.folder / reference
        if not target.is_file():
            raise self.reader.fail(
                pointer, f"{what} file `{reference}` not found (looked for `{display_path(target)}`); fix the path"
            )
        return target

    def tools(self, value: Any, pointer: Pointer) -> tuple[ToolDef, ...]:
        items = value if isinstance(value, list) else [value]
        found: list[ToolDef] = []
        for index, item in enumerate(items):
            at = pointer + (index,) if isinstance(value, list) else pointer
            if isinstance(item, str) and item.startswith(FILE_PREFIX):
                found.extend(self._tool_file(item[len(FILE_PREFIX) :], at))
            elif isinstance(item, dict):
                found.extend(self._inline(item, at))
            else:
                raise self.reader.fail(at, "`tools` entries must be `file://path` references or inline tool objects")
        names: set[str] = set()
        for tool in found:
            if tool.name in names:
                raise self.reader.fail(pointer, f"tool `{tool.name}` is defined twice in the case's tools")
            names.add(tool.name)
        return tuple(found)

    def _tool_file(self, reference: str, pointer: Pointer) -> tuple[ToolDef, ...]:
        if reference in self.tool_files:
            return self.tool_files[reference]
        from toollint.catalog.extract import declarations
        from toollint.loading.document import load

        target = self._file(reference, pointer, "tools")
        document, errors = load(target, explicit=True)
        if errors or document is None:
            problem = errors[0] if errors else None
            detail = f"{problem.path}:{problem.line}:{problem.column}: {problem.message}" if problem else "unreadable"
            raise self.reader.fail(pointer, f"tools file `{reference}` cannot be read ({detail})")
        tools = declarations(document)[0]
        if not tools:
            raise self.reader.fail(pointer, f"tools file `{reference}` declares no tool")
        defs = tuple(self._from_tool(t, pointer, display_path(target)) for t in tools)
        self.tool_files[reference] = defs
        return defs

    def _from_tool(self, tool: Any, pointer: Pointer, source: str) -> ToolDef:
        if not isinstance(tool.name, str):
            raise self.reader.fail(pointer, f"a tool in `{source}` has no string name")
        schema = tool.input_schema if isinstance(tool.input_schema, dict) else {"type": "object", "properties": {}}
        description = tool.description if isinstance(tool.description, str) else ""
        return ToolDef(tool.name, description, schema, tool.output_schema, source, tool.spec)

    def _inline(self, item: dict[str, Any], pointer: Pointer) -> list[ToolDef]:
        from toollint.catalog.extract import tools_in

        tools = list(tools_in(item, (), self.reader.path))
        if not tools:
            raise self.reader.fail(pointer, "inline tool needs `name` and `input_schema` (or another tool format)")
        return [self._from_tool(t, pointer, "") for t in tools]

    def system(self, value: Any, pointer: Pointer) -> tuple[str | None, str | None]:
        if value is None:
            return None, None
        if not isinstance(value, str):
            raise self.reader.fail(pointer, "`system` must be a string or a `file://path` reference")
        if not value.startswith(FILE_PREFIX):
            return value, None
        reference = value[len(FILE_PREFIX) :]
        target = self._file(reference, pointer, "system prompt")
        if reference not in self.texts:
            self.texts[reference] = _prompt_text(target, self.reader, pointer)
        return self.texts[reference], display_path(target)


def _prompt_text(target: Path, reader: _Reader, pointer: Pointer) -> str:
    from toollint.loading.text_source import split_front_matter

    try:
        text = target.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise reader.fail(pointer, f"system prompt `{target}` cannot be read: {exc}") from None
    if target.suffix.lower() in (".yaml", ".yml", ".json"):
        from toollint.catalog.extract import prompts_in
        from toollint.loading.document import KIND_BY_SUFFIX, parse

        document, _ = parse(str(target), text, KIND_BY_SUFFIX[target.suffix.lower()], True)
        prompts = list(prompts_in(document.data, str(target), None)) if document is not None else []
        if not prompts:
            raise reader.fail(pointer, f"system prompt file `{target}` has no `system` or `prompt` text")
        return prompts[0].text
    front, _ = split_front_matter(text)
    if front:  # the model is sent the prompt, not toollint's metadata about it
        text = _FRONT_MATTER.sub("", text, count=1)
    return text.strip()


def _case(reader: _Reader, loader: _ToolLoader, raw: Any, at: Pointer, defaults: dict[str, Any], suite: str) -> Case:
    raw = reader.mapping(raw, at, CASE_KEYS, "a case")
    case_id = raw.get("id")
    if not isinstance(case_id, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", case_id):
        raise reader.fail(
            at + ("id",) if "id" in raw else at, "each case needs an `id` of letters, digits, `-`, `_`, `.`"
        )
    line = reader.locator.span(at + ("id",)).line if reader.locator is not None else 1
    expect_raw = raw.get("expect", {}) or {}
    expect_raw = reader.mapping(expect_raw, at + ("expect",), EXPECT_KEYS, "`expect`")
    # `critical`, `repeats` and `min_passes` read the same at case level and inside `expect`
    merged = {**defaults, **{k: expect_raw[k] for k in ("repeats", "min_passes") if k in expect_raw}, **raw}

    def where(key: str) -> Pointer:
        if key in raw:
            return at + (key,)
        if key in expect_raw:
            return at + ("expect", key)
        return ("defaults", key)

    if "tools" not in merged:
        raise reader.fail(at, f"case `{case_id}` has no `tools` (set them in `defaults` or in the case)")
    tools = loader.tools(merged["tools"], where("tools"))
    system, system_source = loader.system(merged.get("system"), where("system"))
    repeats = reader.integer(merged.get("repeats", 3), where("repeats"), "repeats", 1)
    min_passes = reader.integer(
        merged.get("min_passes", math.ceil(repeats * 2 / 3)), where("min_passes"), "min_passes", 1
    )
    if min_passes > repeats:
        raise reader.fail(where("min_passes"), f"`min_passes` ({min_passes}) is more than `repeats` ({repeats})")
    user = raw.get("user")
    if not isinstance(user, (str, list)) or not user:
        raise reader.fail(at + ("user",) if "user" in raw else at, "each case needs a `user` message (text or blocks)")
    critical = reader.boolean(raw.get("critical", expect_raw.get("critical", False)), where("critical"), "critical")
    flaky = raw.get("flaky")
    if flaky not in (None, "quarantine"):
        raise reader.fail(at + ("flaky",), "`flaky` can only be `quarantine` (run and report, never gate)")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise reader.fail(at + ("tags",), "`tags` must be a list of strings")
    spec = {k: v for k, v in raw.items() if k not in ("description", "tags")}
    spec["$effective"] = {"repeats": repeats, "min_passes": min_passes}
    return Case(
        id=case_id,
        file=reader.path,
        line=line,
        suite=suite,
        system=system,
        system_source=system_source,
        tools=tools,
        history=_history(reader, raw.get("history", []), at + ("history",)),
        user=user,
        tool_results=_results(reader, raw.get("tool_results", []), at + ("tool_results",)),
        expect=_expect(reader, expect_raw, at + ("expect",)),
        repeats=repeats,
        min_passes=min_passes,
        max_turns=reader.integer(merged.get("max_turns", 6), where("max_turns"), "max_turns", 1),
        on_unscripted_tool=reader.choice(
            merged.get("on_unscripted_tool", "error_result"),
            where("on_unscripted_tool"),
            "on_unscripted_tool",
            UNSCRIPTED,
        ),
        unscripted_result=merged.get("unscripted_result", DEFAULT_UNSCRIPTED),
        validate_calls=reader.boolean(merged.get("validate_calls", True), where("validate_calls"), "validate_calls"),
        critical=critical,
        quarantine=flaky == "quarantine",
        confirm_repeats=reader.integer(
            merged.get("confirm_repeats", 2 * repeats), where("confirm_repeats"), "confirm_repeats", 0
        ),
        tags=tuple(tags),
        spec_hash=_hash(spec),
    )


def _hash(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _history(reader: _Reader, raw: Any, at: Pointer) -> tuple[dict[str, Any], ...]:
    if not isinstance(raw, list):
        raise reader.fail(at, "`history` must be a list of `{role, content}` turns")
    turns = []
    for i, turn in enumerate(raw):
        turn = reader.mapping(turn, at + (i,), ("role", "content", "tool_calls", "tool_call_id", "is_error"), "a turn")
        reader.choice(turn.get("role"), at + (i, "role"), "role", ("user", "assistant", "tool"))
        calls = turn.get("tool_calls", [])
        if not isinstance(calls, list) or not all(
            isinstance(c, dict) and isinstance(c.get("name"), str) for c in calls
        ):
            raise reader.fail(at + (i, "tool_calls"), "`tool_calls` must be a list of `{id?, name, args}`")
        turns.append(dict(turn))
    return tuple(turns)


def _results(reader: _Reader, raw: Any, at: Pointer) -> tuple[ResultRule, ...]:
    if not isinstance(raw, list):
        raise reader.fail(at, "`tool_results` must be a list of `{when: {name, args?}, result}` rules")
    rules = []
    for i, item in enumerate(raw):
        item = reader.mapping(item, at + (i,), RESULT_KEYS, "a tool result rule")
        when = reader.mapping(item.get("when"), at + (i, "when"), ("name", "args"), "`when`")
        if "name" not in when:
            raise reader.fail(at + (i, "when"), "`when` needs the tool `name`")
        reader.matcher(when.get("name"), at + (i, "when", "name"))
        reader.matcher(when.get("args"), at + (i, "when", "args"))
        if ("result" in item) == ("results" in item):
            raise reader.fail(at + (i,), "a tool result rule needs exactly one of `result` or `results` (a sequence)")
        results = item["results"] if "results" in item else [item["result"]]
        if not isinstance(results, list) or not results:
            raise reader.fail(at + (i, "results"), "`results` must be a non-empty list, consumed in order")
        is_error = reader.boolean(item.get("is_error", False), at + (i, "is_error"), "is_error")
        rules.append(ResultRule(when["name"], when.get("args"), tuple(results), is_error))
    return tuple(rules)


def _times(reader: _Reader, raw: Any, at: Pointer) -> tuple[int, int | None]:
    if raw is None:
        return 1, 1
    if type(raw) is int:
        return reader.integer(raw, at, "times"), raw
    raw = reader.mapping(raw, at, ("min", "max"), "`times`")
    low = reader.integer(raw.get("min", 0 if "max" in raw else 1), at + ("min",), "times.min")
    high = raw.get("max")
    if high is not None:
        high = reader.integer(high, at + ("max",), "times.max", max(low, 1))
    return low, high


def _expect(reader: _Reader, raw: dict[str, Any], at: Pointer) -> Expect:
    calls_raw = raw.get("calls", [])
    if not isinstance(calls_raw, list):
        raise reader.fail(at + ("calls",), "`calls` must be a list of `{name, args?}`")
    calls = []
    for i, item in enumerate(calls_raw):
        where = at + ("calls", i)
        item = reader.mapping(item, where, CALL_KEYS, "an expected call")
        if "name" not in item:
            raise reader.fail(where, "an expected call needs the tool `name`")
        reader.matcher(item["name"], where + ("name",))
        if "args" in item and not isinstance(item["args"], dict):
            raise reader.fail(where + ("args",), "`args` must be a mapping of argument names to values or matchers")
        reader.matcher(item.get("args"), where + ("args",))
        mode = reader.choice(item.get("args_mode", "subset"), where + ("args_mode",), "args_mode", ("subset", "exact"))
        ignore = item.get("ignore", [])
        if not isinstance(ignore, list) or not all(isinstance(k, str) for k in ignore):
            raise reader.fail(where + ("ignore",), "`ignore` must be a list of argument names")
        defaults = item.get("defaults", {})
        if not isinstance(defaults, dict):
            raise reader.fail(where + ("defaults",), "`defaults` must map argument names to default values")
        low, high = _times(reader, item.get("times"), where + ("times",))
        calls.append(ExpectedCall(item["name"], item.get("args"), mode, tuple(ignore), dict(defaults), low, high))
    not_called: list[tuple[Any, Any]] = []
    raw_not = raw.get("not_called", [])
    if not isinstance(raw_not, list):
        raise reader.fail(at + ("not_called",), "`not_called` must be a list of tool names or `{name, args}`")
    for i, item in enumerate(raw_not):
        if isinstance(item, str):
            not_called.append((item, None))
            continue
        item = reader.mapping(item, at + ("not_called", i), ("name", "args"), "a `not_called` entry")
        reader.matcher(item.get("args"), at + ("not_called", i, "args"))
        not_called.append((item.get("name"), item.get("args")))
    max_calls = raw.get("max_tool_calls")
    if max_calls is not None:
        max_calls = reader.integer(max_calls, at + ("max_tool_calls",), "max_tool_calls")
    if "no_tool_calls" in raw and reader.boolean(raw["no_tool_calls"], at + ("no_tool_calls",), "no_tool_calls"):
        max_calls = 0
    min_calls = raw.get("min_tool_calls")
    if min_calls is not None:
        min_calls = reader.integer(min_calls, at + ("min_tool_calls",), "min_tool_calls")
    order = reader.choice(raw.get("order", "any"), at + ("order",), "order", ORDERS)
    extra = reader.choice(raw.get("extra_calls", "allow"), at + ("extra_calls",), "extra_calls", ("allow", "forbid"))
    final = raw.get("final", {}) or {}
    if isinstance(final, dict) and "judge" in final:
        raise reader.fail(
            at + ("final", "judge"), "`judge` (an LLM judge) is not supported; use `regex` or `contains`", "key"
        )
    final = reader.mapping(final, at + ("final",), FINAL_KEYS, "`final`")
    for key in ("regex", "not_regex"):
        if key in final:
            try:
                re.compile(str(final[key]))
            except re.error as exc:
                raise reader.fail(at + ("final", key), f"invalid regular expression: {exc}") from None
    if "json_schema" in final:
        _check_schema(reader, final["json_schema"], at + ("final", "json_schema"))
    return Expect(
        tuple(calls),
        order,
        "forbid" if order == "exact" else extra,
        tuple(not_called),
        max_calls,
        min_calls,
        dict(final),
    )


def discover_suites(paths: Iterable[Path]) -> list[Path]:
    """Eval files named, or found under folders (`*.eval.yaml`, `*.eval.yml`)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for pattern in ("*.eval.yaml", "*.eval.yml") for p in path.rglob(pattern)))
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())
