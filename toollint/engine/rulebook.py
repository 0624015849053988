"""The rule catalog: rule metadata, docs, examples and presets read from YAML (built-in `rules/` and user packs)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from toollint.checks.rule import Example, OptionSpec, RuleSpec
from toollint.diagnostics import Severity
from toollint.parse_cache import cached

# agent: every agent, the unions of toolsets that prompts see included; change: TC rules, run by diffs and --locked;
# eval: one case of a `*.eval.yaml` suite with its tools
TARGETS = ("tool", "parameter", "toolset", "agent", "prompt", "change", "eval")
OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
}
ALWAYS_ON = frozenset({"TL001", "TL005"})  # an unreadable file or a crashed rule is never silently passed
_CODE = re.compile(r"^[A-Z]{1,6}[0-9]{1,4}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_RULE_KEYS = frozenset(
    {
        "code",
        "name",
        "severity",
        "write-severity",
        "target",
        "summary",
        "what",
        "why",
        "check",
        "then",
        "message",
        "options",
        "examples",
        "known-problems",
    }
)


class RulebookError(Exception):
    """A rule file or preset that cannot be used; the message names the file."""


class Preset(NamedTuple):
    name: str
    description: str
    select: tuple[str, ...]
    severity: Mapping[str, str]
    ignore: tuple[str, ...] = ()


def builtin_rules_dir() -> Path:
    """`rules/` ships inside the wheel as `toollint/_rules`; a source checkout uses the top-level folder."""
    packaged = Path(__file__).resolve().parent.parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rules"


def _read_yaml(path: Path) -> Any:
    from toollint.loading.yaml_source import YamlParseError, parse_yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulebookError(f"{path}: cannot read rule file: {exc}") from None
    try:
        data, _ = parse_yaml(text)
    except YamlParseError as exc:
        raise RulebookError(f"{path}:{exc.line}:{exc.column}: invalid YAML: {exc.message}") from None
    return data


def _require_str(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RulebookError(f"{where}: `{key}` must be a non-empty string")
    return value.strip()


def _examples(raw: Any, where: str) -> tuple[Example, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RulebookError(f"{where}: examples must be a list")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("source"), str):
            raise RulebookError(f"{where}: example {i + 1} needs a `source` string")
        file = item.get("file", "tools.yaml")
        lines = item.get("lines", ())
        context = item.get("with") or {}
        if not isinstance(context, dict):
            raise RulebookError(f"{where}: `with` of example {i + 1} must map file names to their text")
        extra = tuple((str(name), str(text)) for name, text in context.items())
        before = item.get("before")
        if before is not None and not isinstance(before, str):
            raise RulebookError(f"{where}: `before` of example {i + 1} must be the text of the previous version")
        out.append(
            Example(
                str(file),
                item["source"],
                dict(item.get("options") or {}),
                tuple(lines),
                extra,
                before,
                str(item.get("before-file", file)) if before is not None else None,
            )
        )
    return tuple(out)


def _options(raw: Any, where: str) -> tuple[OptionSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise RulebookError(f"{where}: `options` must be a mapping of option name to its spec")
    out = []
    for name, spec in raw.items():
        if not isinstance(spec, dict) or spec.get("type") not in OPTION_TYPES or "default" not in spec:
            raise RulebookError(f"{where}: option `{name}` needs `type` ({', '.join(OPTION_TYPES)}) and `default`")
        out.append(OptionSpec(str(name), spec["type"], spec["default"], str(spec.get("description", ""))))
    return tuple(out)


def parse_rule(entry: Any, origin: str) -> RuleSpec:
    if not isinstance(entry, dict):
        raise RulebookError(f"{origin}: each rule must be a mapping")
    code = entry.get("code")
    where = f"{origin}: rule `{code}`"
    if not isinstance(code, str) or not _CODE.match(code):
        raise RulebookError(f"{where}: `code` must look like `ABC123` (capital letters then digits)")
    unknown = sorted(set(entry) - _RULE_KEYS)
    if unknown:
        raise RulebookError(f"{where}: unknown key `{unknown[0]}`")
    name = _require_str(entry, "name", where)
    if not _NAME.match(name):
        raise RulebookError(f"{where}: `name` must be kebab-case, like `missing-tool-description`")
    try:
        severity = Severity.parse(str(entry.get("severity", "warning")))
    except KeyError:
        raise RulebookError(f"{where}: `severity` must be error, warning or info") from None
    write_severity = None
    if "write-severity" in entry:
        try:
            write_severity = Severity.parse(str(entry["write-severity"]))
        except KeyError:
            raise RulebookError(f"{where}: `write-severity` must be error, warning or info") from None
    target = entry.get("target", "tool")
    if target not in TARGETS:
        raise RulebookError(f"{where}: `target` must be one of {', '.join(TARGETS)}")
    check, then = entry.get("check"), entry.get("then")
    if (check is None) == (then is None):
        raise RulebookError(f"{where}: give exactly one of `check` (built-in) or `then` (generic function)")
    if then is not None:
        from toollint.checks.functions import validate_then

        problem = validate_then(then)
        if problem:
            raise RulebookError(f"{where}: {problem}")
    examples = entry.get("examples") or {}
    if not isinstance(examples, dict):
        raise RulebookError(f"{where}: `examples` must have `bad` and `good` lists")
    return RuleSpec(
        code=code,
        name=name,
        severity=severity,
        target=target,
        summary=_require_str(entry, "summary", where),
        what=_require_str(entry, "what", where),
        why=_require_str(entry, "why", where),
        origin=origin,
        check=check,
        then=then,
        message=entry.get("message"),
        options=_options(entry.get("options"), where),
        bad=_examples(examples.get("bad"), where),
        good=_examples(examples.get("good"), where),
        known_problems=entry.get("known-problems"),
        write_severity=write_severity,
    )


def parse_pack(path: Path) -> tuple[tuple[str, ...], tuple[RuleSpec, ...]]:
    """A rule file: optional `extends` (preset names) and a `rules` list."""
    return _parse_pack_data(_read_yaml(path), path)


def _pack_vocabulary(data: Any, path: Path) -> dict[str, tuple[str, ...]]:
    """A rule pack's `vocabulary:` additions (list name → words), validated."""
    from toollint.catalog.vocabulary import VocabularyError, validate

    if not isinstance(data, dict) or "vocabulary" not in data:
        return {}
    try:
        return validate(data["vocabulary"], str(path))
    except VocabularyError as exc:
        raise RulebookError(str(exc)) from None


def _parse_pack_data(data: Any, path: Path) -> tuple[tuple[str, ...], tuple[RuleSpec, ...]]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulebookError(f"{path}: a rule file needs a top-level `rules:` list")
    unknown = sorted(set(data) - {"rules", "extends", "description", "vocabulary"})
    if unknown:
        raise RulebookError(
            f"{path}: unknown key `{unknown[0]}` (expected `rules`, `extends`, `description`, `vocabulary`)"
        )
    extends = data.get("extends") or ()
    extends = (extends,) if isinstance(extends, str) else tuple(extends)
    return extends, tuple(parse_rule(entry, str(path)) for entry in data["rules"])


class Rulebook:
    """All known rules by code and name, and the presets that select among them."""

    def __init__(self, rules: Iterable[RuleSpec], presets: Mapping[str, Preset]) -> None:
        self.by_code: dict[str, RuleSpec] = {}
        self.by_name: dict[str, RuleSpec] = {}
        self.presets = dict(presets)
        self.vocabulary: dict[str, tuple[str, ...]] = {}  # words rule packs add to the judgement vocabulary
        for rule in rules:
            self.add(rule)

    def add(self, rule: RuleSpec) -> None:
        clash = self.by_code.get(rule.code) or self.by_name.get(rule.name)
        if clash is not None:
            raise RulebookError(
                f"{rule.origin}: rule {rule.code} `{rule.name}` clashes with {clash.code} `{clash.name}` from {clash.origin}"
            )
        self.by_code[rule.code] = rule
        self.by_name[rule.name] = rule

    def lookup(self, code_or_name: str) -> RuleSpec | None:
        return self.by_code.get(code_or_name.upper()) or self.by_name.get(code_or_name.lower())

    def expand(self, selector: str) -> set[str]:
        """Codes matched by `ALL`, a code, a code prefix (`TS`, `TS00`) or a rule name; empty if none."""
        if selector.upper() == "ALL":
            return set(self.by_code)
        rule = self.lookup(selector)
        if rule is not None:
            return {rule.code}
        prefix = selector.upper()
        return (
            {code for code in self.by_code if code.startswith(prefix)} if re.match(r"^[A-Z]+[0-9]*$", prefix) else set()
        )

    def with_pack(self, path: Path) -> tuple[Rulebook, tuple[str, ...], frozenset[str]]:
        data = _read_yaml(path)
        extends, rules = _parse_pack_data(data, path)
        book = Rulebook(self.by_code.values(), self.presets)
        book.vocabulary = dict(self.vocabulary)
        for key, words in _pack_vocabulary(data, path).items():
            book.vocabulary[key] = book.vocabulary.get(key, ()) + words
        for rule in rules:
            book.add(rule)
        return book, extends, frozenset(r.code for r in rules)


def _read_catalog(directory: Path, paths: list[Path]) -> dict[str, Any]:
    """The parsed YAML of the built-in catalog files, by their path below `directory`; cached as JSON."""
    blobs = {path.relative_to(directory).as_posix(): path.read_bytes() for path in paths}
    key = b"\0".join(name.encode() + b"\0" + blob for name, blob in sorted(blobs.items()))
    data = cached("rules", key, lambda: {name: _read_yaml(path) for name, path in zip(blobs, paths, strict=True)})
    return data  # type: ignore[no-any-return]


@lru_cache(maxsize=4)
def load_builtin(directory: Path | None = None) -> Rulebook:
    directory = directory or builtin_rules_dir()
    # the judgement vocabulary sits beside the rules but is no rule file (toollint.catalog.vocabulary reads it)
    rule_files = sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("vocabulary"))
    preset_files = sorted((directory / "presets").glob("*.yaml"))
    catalog = _read_catalog(directory, rule_files + preset_files)
    rules: list[RuleSpec] = []
    for path in rule_files:
        extends, pack = _parse_pack_data(catalog[path.name], path)
        rules.extend(pack)
    presets: dict[str, Preset] = {}
    for path in preset_files:
        data = catalog[f"presets/{path.name}"]
        if not isinstance(data, dict) or not isinstance(data.get("select"), list):
            raise RulebookError(f"{path}: a preset needs a `select` list")
        presets[path.stem] = Preset(
            path.stem,
            str(data.get("description", "")),
            tuple(data["select"]),
            dict(data.get("severity") or {}),
            tuple(data.get("ignore") or ()),
        )
    return Rulebook(rules, presets)
