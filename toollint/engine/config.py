"""Config: finding `[tool.toollint]` / `.toollint.yaml`, validating every key, and merging with the command line."""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from toollint.catalog.vocabulary import Vocabulary
from toollint.diagnostics import Pointer, Severity
from toollint.engine.rulebook import ALWAYS_ON, OPTION_TYPES, Rulebook, RulebookError, load_builtin
from toollint.loading.document import DEFAULT_MAX_FILE_SIZE
from toollint.loading.positions import LineIndex
from toollint.parse_cache import cached

CONFIG_FILES = (".toollint.yaml", "toollint.yaml", "pyproject.toml")
PROVIDER_TARGETS = ("anthropic", "openai", "openai-strict", "anthropic-strict", "gemini", "mcp")
DEFAULT_TARGETS = ("anthropic", "openai", "mcp")
OUTPUT_FORMATS = ("text", "concise", "json", "jsonl", "sarif", "github", "gitlab", "junit", "markdown")
DEFAULT_PRESET = "recommended"
_KEYS = (
    "extends",
    "select",
    "extend-select",
    "ignore",
    "severity",
    "per-file-ignores",
    "options",
    "agents",
    "targets",
    "exclude",
    "fail-on",
    "output-format",
    "max-file-size",
    "vocabulary",
    "baseline",
)


class ConfigError(Exception):
    """A config problem: the message names the file (and line where known) and what to do."""


class AgentSpec(NamedTuple):
    name: str
    tools: tuple[str, ...]
    prompts: tuple[str, ...]


class Overrides(NamedTuple):
    """What the command line says; None means "not given"."""

    config: Path | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    targets: tuple[str, ...] | None = None
    fail_on: str | None = None
    output_format: str | None = None


@dataclass(frozen=True)
class Settings:
    rulebook: Rulebook
    enabled: frozenset[str]
    severity: Mapping[str, Severity]
    options: Mapping[str, Mapping[str, Any]]
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    targets: tuple[str, ...] = DEFAULT_TARGETS
    agents: tuple[AgentSpec, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: Severity = Severity.ERROR
    output_format: str = "text"
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    root: Path = field(default_factory=Path.cwd)
    config_path: Path | None = None
    vocabulary: Vocabulary | None = None  # the judgement vocabulary when config or a rule pack extends it
    baseline: Path | None = None  # config `baseline:`, relative to the config's folder


def find_config(start: Path) -> Path | None:
    """The closest config file walking up from `start`, stopping at the repository root."""
    folder = Path(os.path.realpath(start))  # never raises, even on a symlink loop
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        for name in CONFIG_FILES:
            path = candidate / name
            if path.is_file() and (name != "pyproject.toml" or _has_toollint_table(path)):
                return path
        if (candidate / ".git").exists():
            return None
    return None


def _has_toollint_table(path: Path) -> bool:
    try:
        return "[tool.toollint" in path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


class _Reader:
    """Reads one config file and phrases errors with its path and, for YAML, the line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._locator: Any = None
        self._text = ""
        self.data = self._read()

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{self.path}: cannot read config: {exc}") from None
        if self.path.name == "pyproject.toml":
            try:
                import tomllib  # type: ignore[import-not-found,unused-ignore]
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]
            try:
                doc = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{self.path}: invalid TOML: {exc}") from None
            tool = doc.get("tool", {})
            if not isinstance(tool, dict):
                raise ConfigError(f"{self.path}: `tool` must be a table (`[tool.toollint]`), not a value")
            table = tool.get("toollint", {})
            if not isinstance(table, dict):
                raise ConfigError(f"{self.path}: `[tool.toollint]` must be a table")
            return table
        self._text = text
        # a config seen before comes from the cache, without importing PyYAML; lines for errors are found later
        data = cached("config", text.encode("utf-8"), self._parse_yaml)
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ConfigError(f"{self.path}: the config must be a mapping of keys such as `select` and `ignore`")
        return data

    def _parse_yaml(self) -> Any:
        from toollint.loading.yaml_source import YamlParseError, parse_yaml

        try:
            data, self._locator = parse_yaml(self._text)
        except YamlParseError as exc:
            raise ConfigError(f"{self.path}:{exc.line}:{exc.column}: invalid YAML: {exc.message}") from None
        for duplicate in self._locator.duplicates[:1]:  # which of two values was meant cannot be guessed
            line, column = LineIndex(self._text).position(duplicate.offset)
            raise ConfigError(f"{self.path}:{line}:{column}: key `{duplicate.key}` is given twice; keep only one")
        return data

    def error(self, pointer: Pointer, message: str) -> ConfigError:
        if self._locator is None and self._text:
            self._parse_yaml()  # the data came from the cache: parse again for the line of the problem
        if self._locator is not None:
            span = self._locator.span(pointer, "key")
            return ConfigError(f"{self.path}:{span.line}:{span.column}: {message}")
        table = ".".join(["tool", "toollint", *(str(p) for p in pointer[:-1])])
        return ConfigError(f"{self.path}: [{table}]: {message}")

    def strings(self, key: str, value: Any = None, pointer: Pointer | None = None) -> tuple[str, ...]:
        value = self.data.get(key) if value is None else value
        pointer = (key,) if pointer is None else pointer
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(pointer, f"`{key}` must be a list of strings")
        return tuple(value)


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _expand(book: Rulebook, selectors: tuple[str, ...], reader: _Reader | None, key: str) -> set[str]:
    codes: set[str] = set()
    for index, selector in enumerate(selectors):
        found = book.expand(selector)
        if not found:
            message = f"unknown rule `{selector}` in `{key}`{_suggest(selector, [*book.by_code, *book.by_name])}"
            if reader is None:
                raise ConfigError(message + "; `toollint rules` lists them")
            raise reader.error((key, index), message)
        codes |= found
    return codes


def load_settings(overrides: Overrides, start: Path) -> Settings:
    try:
        return _load_settings(overrides, start)
    except RulebookError as exc:
        raise ConfigError(str(exc)) from None


def _load_settings(overrides: Overrides, start: Path) -> Settings:
    book = load_builtin()
    path = overrides.config
    if path is not None and not path.is_file():
        raise ConfigError(f"config file `{path}` does not exist")
    path = path or find_config(start)
    reader = _Reader(path) if path else None
    data = reader.data if reader else {}
    root = path.resolve().parent if path else Path.cwd().resolve()

    if reader:
        for key in data:
            if key not in _KEYS:
                raise reader.error((key,), f"unknown key `{key}`{_suggest(str(key), _KEYS)}")

    # extends: presets by name, or rule packs by path (which may extend presets themselves)
    extends = reader.strings("extends") if reader and "extends" in data else (DEFAULT_PRESET,)
    presets: list[str] = []
    pack_codes: set[str] = set()
    for index, entry in enumerate(extends):
        if entry in book.presets:
            presets.append(entry)
            continue
        pack_path = (root / entry) if not Path(entry).is_absolute() else Path(entry)
        if not pack_path.is_file():
            message = f"`{entry}` is neither a preset ({', '.join(sorted(book.presets))}) nor a rule file"
            raise reader.error(("extends", index), message) if reader else ConfigError(message)
        book, pack_extends, codes = book.with_pack(pack_path)
        pack_codes |= codes
        for name in pack_extends:
            if name not in book.presets:
                raise ConfigError(f"{pack_path}: `extends: {name}` is not a preset ({', '.join(sorted(book.presets))})")
            presets.append(name)

    enabled: set[str] = set(pack_codes)  # narrowed to a frozenset only in the Settings
    severity: dict[str, Severity] = {code: rule.severity for code, rule in book.by_code.items()}
    for name in presets:
        preset = book.presets[name]
        enabled |= _expand(book, preset.select, None, f"preset {name}") - _expand(
            book, preset.ignore, None, f"preset {name}"
        )
        for selector, level in preset.severity.items():
            for code in book.expand(selector):
                severity[code] = Severity.parse(level)

    if reader and "select" in data:
        enabled = _expand(book, reader.strings("select"), reader, "select")
    if overrides.select is not None:
        enabled = _expand(book, overrides.select, None, "--select")
    if reader and "extend-select" in data and overrides.select is None:
        enabled |= _expand(book, reader.strings("extend-select"), reader, "extend-select")
    enabled |= _expand(book, overrides.extend_select, None, "--extend-select")
    if reader and "ignore" in data:
        enabled -= _expand(book, reader.strings("ignore"), reader, "ignore")
    enabled -= _expand(book, overrides.ignore, None, "--ignore")
    enabled |= ALWAYS_ON

    if reader and "severity" in data:
        table = data["severity"]
        if not isinstance(table, dict):
            raise reader.error(("severity",), "`severity` must map rule codes or prefixes to error, warning or info")
        for selector, level in table.items():
            try:
                parsed = Severity.parse(str(level))
            except KeyError:
                raise reader.error(
                    ("severity", selector), f"severity `{level}` must be error, warning or info"
                ) from None
            for code in _expand(book, (str(selector),), reader, "severity"):
                severity[code] = parsed
    for code in ALWAYS_ON:
        severity[code] = Severity.ERROR

    options = {code: rule.default_options() for code, rule in book.by_code.items()}
    if reader and "options" in data:
        _read_options(book, reader, data["options"], options)

    per_file: list[tuple[str, frozenset[str]]] = []
    if reader and "per-file-ignores" in data:
        table = data["per-file-ignores"]
        if not isinstance(table, dict):
            raise reader.error(("per-file-ignores",), "`per-file-ignores` must map file globs to lists of rules")
        for glob, selectors in table.items():
            globbed = _expand(
                book, reader.strings(str(glob), selectors, ("per-file-ignores", glob)), reader, "per-file-ignores"
            )
            per_file.append((str(glob), frozenset(globbed)))

    targets = overrides.targets
    if targets is None and reader and "targets" in data:
        targets = reader.strings("targets")
    targets = tuple(targets) if targets else DEFAULT_TARGETS
    for index, target in enumerate(targets):
        if target not in PROVIDER_TARGETS:
            message = f"unknown target `{target}`; choose from {', '.join(PROVIDER_TARGETS)}"
            raise (
                reader.error(("targets", index), message)
                if reader and overrides.targets is None
                else ConfigError(message)
            )

    fail_on = overrides.fail_on or (data.get("fail-on") if reader else None) or "error"
    try:
        fail_level = Severity.parse(str(fail_on))
    except KeyError:
        message = f"`fail-on` must be error, warning or info, not `{fail_on}`"
        raise (reader.error(("fail-on",), message) if reader else ConfigError(message)) from None

    output_format = overrides.output_format or (data.get("output-format") if reader else None) or "text"
    if output_format not in OUTPUT_FORMATS:
        message = f"unknown output format `{output_format}`; choose from {', '.join(OUTPUT_FORMATS)}"
        raise reader.error(("output-format",), message) if reader else ConfigError(message)

    max_size = data.get("max-file-size", DEFAULT_MAX_FILE_SIZE) if reader else DEFAULT_MAX_FILE_SIZE
    if not isinstance(max_size, int) or isinstance(max_size, bool) or max_size <= 0:
        raise reader.error(("max-file-size",), "`max-file-size` must be a positive number of bytes")  # type: ignore[union-attr]

    baseline = None
    if reader and "baseline" in data:
        if not isinstance(data["baseline"], str) or not data["baseline"]:
            raise reader.error(("baseline",), "`baseline` must be the path of a baseline file")
        baseline = root / data["baseline"]

    return Settings(
        rulebook=book,
        enabled=frozenset(enabled),
        severity=severity,
        options=options,
        per_file_ignores=tuple(per_file),
        targets=targets,
        agents=_read_agents(reader) if reader and "agents" in data else (),
        exclude=reader.strings("exclude") if reader and "exclude" in data else (),
        fail_on=fail_level,
        output_format=output_format,
        max_file_size=max_size,
        root=root,
        config_path=path,
        vocabulary=_read_vocabulary(book, reader, data),
        baseline=baseline,
    )


def _read_vocabulary(book: Rulebook, reader: _Reader | None, data: Mapping[str, Any]) -> Vocabulary | None:
    """The built-in vocabulary extended by rule packs and the `vocabulary:` key; None when nothing extends it."""
    from toollint.catalog.vocabulary import LIST_NAMES, VocabularyError, builtin, validate

    extra = {key: list(words) for key, words in book.vocabulary.items()}
    if reader and "vocabulary" in data:
        raw = data["vocabulary"]
        if isinstance(raw, dict):
            for key in raw:
                if key not in LIST_NAMES:
                    raise reader.error(
                        ("vocabulary", key), f"unknown vocabulary list `{key}`{_suggest(str(key), LIST_NAMES)}"
                    )
        try:
            added = validate(raw, "vocabulary")
        except VocabularyError as exc:
            raise reader.error(("vocabulary",), str(exc).removeprefix("vocabulary: ")) from None
        for key, words in added.items():
            extra[key] = extra.get(key, []) + list(words)
    return builtin().extended(extra) if extra else None


def _read_options(book: Rulebook, reader: _Reader, table: Any, options: dict[str, dict[str, Any]]) -> None:
    if not isinstance(table, dict):
        raise reader.error(("options",), "`options` must map rule codes or names to their options")
    for key, values in table.items():
        rule = book.lookup(str(key))
        if rule is None:
            raise reader.error(("options", key), f"unknown rule `{key}` in `options`")
        if not isinstance(values, dict):
            raise reader.error(("options", key), f"options of {rule.code} must be a mapping")
        specs = {o.name: o for o in rule.options}
        for name, value in values.items():
            spec = specs.get(name)
            if spec is None:
                known = ", ".join(f"`{n}`" for n in specs) or "none"
                raise reader.error(("options", key, name), f"{rule.code} has no option `{name}` (options: {known})")
            allowed = OPTION_TYPES[spec.type]
            if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
                raise reader.error(("options", key, name), f"option `{name}` of {rule.code} must be a {spec.type}")
            if isinstance(value, (int, float)) and not 0 <= value < math.inf:
                # every numeric option is a count, a length or a threshold; a negative one would only crash the rule
                message = f"option `{name}` of {rule.code} must be a {spec.type} of 0 or more, not `{value}`"
                raise reader.error(("options", key, name), message)
            options[rule.code][name] = value


def _read_agents(reader: _Reader) -> tuple[AgentSpec, ...]:
    table = reader.data["agents"]
    if not isinstance(table, dict):
        raise reader.error(("agents",), "`agents` must map agent names to `tools` and `prompts` globs")
    agents = []
    for name, spec in table.items():
        if not isinstance(spec, dict):
            raise reader.error(("agents", name), f"agent `{name}` needs `tools` and `prompts` lists of globs")
        for key in spec:
            if key not in ("tools", "prompts"):
                raise reader.error(
                    ("agents", name, key), f"unknown key `{key}` in agent `{name}` (expected tools, prompts)"
                )
        tools = reader.strings("tools", spec.get("tools", []), ("agents", name, "tools"))
        prompts = reader.strings("prompts", spec.get("prompts", []), ("agents", name, "prompts"))
        agents.append(AgentSpec(str(name), tools, prompts))
    return tuple(agents)
