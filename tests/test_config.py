"""Config discovery, validation with file:line errors, selectors, severity overrides, options, per-file-ignores, agents."""

from __future__ import annotations

from pathlib import Path

import pytest

from toollint.diagnostics import Severity
from toollint.engine.config import ConfigError, Overrides, find_config, load_settings
from toollint.engine.run import check_paths

BAD_TOOL = "- name: a.b\n  input_schema:\n    type: object\n    properties:\n      q: {}\n    required: [x]\n"


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def check(folder: Path, **overrides: object) -> list[tuple[str, str, str]]:
    settings = load_settings(Overrides(**overrides), folder)  # type: ignore[arg-type]
    result = check_paths([folder], settings)
    return sorted((Path(d.path).name, d.code, d.severity.label) for d in result.diagnostics)


def test_closest_config_wins_and_the_walk_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "[tool.toollint]\nignore = ['TN001']\n",
            "repo/.git/HEAD": "",
            "repo/sub/.toollint.yaml": "ignore: [TS]\n",
            "repo/sub/deeper/x.yaml": "",
        },
    )
    assert find_config(tmp_path / "repo" / "sub" / "deeper") == tmp_path / "repo" / "sub" / ".toollint.yaml"
    assert find_config(tmp_path / "repo") is None
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"


def test_pyproject_without_a_toollint_table_is_not_a_config(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n", ".git/HEAD": ""})
    assert find_config(tmp_path) is None


def test_defaults_are_the_recommended_preset(tmp_path: Path) -> None:
    write(tmp_path, {".git/HEAD": "", "tools.yaml": BAD_TOOL})
    assert check(tmp_path) == [
        ("tools.yaml", "TD001", "error"),
        ("tools.yaml", "TD004", "warning"),
        ("tools.yaml", "TN001", "error"),
        ("tools.yaml", "TS003", "error"),
        ("tools.yaml", "TS004", "warning"),
    ]


def test_select_ignore_extend_select_by_code_prefix_and_name(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tools.yaml": BAD_TOOL,
            ".toollint.yaml": "select: [TS]\nextend-select: [invalid-tool-name]\nignore: [TS004, TS017]\n",
        },
    )
    assert [c for _, c, _ in check(tmp_path)] == ["TN001", "TS003"]
    assert [c for _, c, _ in check(tmp_path, select=("TD001",))] == ["TD001"]
    assert [c for _, c, _ in check(tmp_path, ignore=("TS003",))] == ["TN001"]


def test_severity_overrides_by_code_and_prefix(tmp_path: Path) -> None:
    write(tmp_path, {"tools.yaml": BAD_TOOL, ".toollint.yaml": "severity:\n  TS: info\n  TN001: warning\n"})
    severities = {code: level for _, code, level in check(tmp_path)}
    assert severities == {"TD001": "error", "TD004": "warning", "TN001": "warning", "TS003": "info", "TS004": "info"}


def test_parse_errors_cannot_be_ignored_or_downgraded(tmp_path: Path) -> None:
    write(tmp_path, {"broken.json": "[", ".toollint.yaml": "ignore: [TL]\nseverity: {TL001: info}\n"})
    assert check(tmp_path) == [("broken.json", "TL001", "error")]


def test_per_file_ignores_with_globs(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "legacy/old.yaml": BAD_TOOL,
            "new.yaml": BAD_TOOL,
            ".toollint.yaml": "per-file-ignores:\n  'legacy/*.yaml': [TN001, TD]\n",
        },
    )
    found = check(tmp_path)
    assert ("old.yaml", "TN001", "error") not in found and ("new.yaml", "TN001", "error") in found
    assert not any(f == "old.yaml" and c.startswith("TD") for f, c, _ in found)


def test_rule_options_are_validated(tmp_path: Path) -> None:
    write(tmp_path, {".toollint.yaml": "options:\n  TS003:\n    max-length: 3\n"})
    with pytest.raises(ConfigError, match=r"\.toollint\.yaml:3:5: TS003 has no option `max-length`"):
        load_settings(Overrides(), tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("selct: [TS]\n", r":1:1: unknown key `selct` \(did you mean `select`\?\)"),
        ("select: [TS999]\n", r":1:10: unknown rule `TS999` in `select`"),
        ("severity: {TS001: fatal}\n", r"severity `fatal` must be error, warning or info"),
        ("targets: [bedrock]\n", r"unknown target `bedrock`"),
        ("fail-on: sometimes\n", r"`fail-on` must be error, warning or info"),
        ("agents:\n  a: {tool: ['*.json']}\n", r":2:7: unknown key `tool` in agent `a`"),
        ("select: [\n", r"invalid YAML"),
        ("- just\n- a list\n", r"must be a mapping"),
        ("extends: [nonsense]\n", r"`nonsense` is neither a preset"),
    ],
)
def test_config_errors_name_the_file_and_line(
    tmp_path: Path, text: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    write(tmp_path, {".toollint.yaml": text})
    errors = []
    for _ in ("parsed", "from the cache"):  # the second read of a valid YAML comes from the cache
        with pytest.raises(ConfigError, match=message) as info:
            load_settings(Overrides(), tmp_path)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert ".toollint.yaml" in errors[0] and "\n" not in errors[0]


def test_a_yaml_config_is_cached_by_its_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    write(tmp_path / "project", {".toollint.yaml": "select: [TS003]\n", "t.yaml": BAD_TOOL})
    assert check(tmp_path / "project") == [("t.yaml", "TS003", "error")]
    assert len(list((tmp_path / "cache" / "toollint").glob("config-*.json"))) == 1
    assert check(tmp_path / "project") == [("t.yaml", "TS003", "error")]
    write(tmp_path / "project", {".toollint.yaml": "select: [TN001]\n"})  # an edit is a new key, never stale
    assert check(tmp_path / "project") == [("t.yaml", "TN001", "error")]


def test_pyproject_errors_name_the_table(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.toollint]\nignored = ['TS']\n"})
    with pytest.raises(
        ConfigError, match=r"pyproject.toml: \[tool.toollint\]: unknown key `ignored` \(did you mean `ignore`\?\)$"
    ):
        load_settings(Overrides(), tmp_path)


def test_cli_selectors_are_checked_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown rule `XX1` in `--ignore`"):
        load_settings(Overrides(ignore=("XX1",)), tmp_path)


def test_fail_on_and_targets_come_from_config_unless_the_cli_says(tmp_path: Path) -> None:
    write(tmp_path, {".toollint.yaml": "fail-on: warning\ntargets: [mcp]\n"})
    settings = load_settings(Overrides(), tmp_path)
    assert settings.fail_on == Severity.WARNING and settings.targets == ("mcp",)
    settings = load_settings(Overrides(fail_on="info", targets=("gemini",)), tmp_path)
    assert settings.fail_on == Severity.INFO and settings.targets == ("gemini",)


def test_targets_change_which_names_are_valid(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tools.yaml": "- name: kb.search\n  description: Look up the record by its id and return it.\n  input_schema: {type: object}\n"
        },
    )
    assert [c for _, c, _ in check(tmp_path)] == ["TN001"]
    assert check(tmp_path, targets=("mcp",)) == []


def test_agents_split_the_toolset(tmp_path: Path) -> None:
    tool = (
        "- name: search\n  description: Look up the record by its id and return it.\n  input_schema: {type: object}\n"
    )
    write(tmp_path, {"a/tools.yaml": tool, "b/tools.yaml": tool})
    assert check(tmp_path) == []  # without config, each folder of tools is a toolset of its own (DESIGN §1)
    write(tmp_path, {".toollint.yaml": "agents:\n  both: {tools: ['a/*', 'b/*'], prompts: []}\n"})
    assert [c for _, c, _ in check(tmp_path)] == ["TN004"]
    write(tmp_path, {".toollint.yaml": "agents:\n  a: {tools: ['a/*']}\n  b: {tools: ['b/*'], prompts: ['b/*.md']}\n"})
    assert check(tmp_path) == []


def test_rule_pack_with_generic_functions_extends_recommended(tmp_path: Path) -> None:
    pack = """\
extends: recommended
rules:
  - code: ACME001
    name: tool-name-prefix
    severity: warning
    target: tool
    summary: Tool names start with acme_
    what: Checks that tool names start with `acme_`.
    why: Our gateway routes by prefix.
    then: {field: name, function: pattern, options: {match: "^acme_"}}
  - code: ACME002
    name: parameter-snake-case
    severity: info
    target: parameter
    summary: Parameters are snake_case
    what: Checks parameter casing.
    why: Consistency.
    then: {field: name, function: casing, options: {type: snake}}
  - code: ACME003
    name: description-length
    target: tool
    summary: Descriptions are long enough
    what: Checks description length.
    why: Short descriptions mislead.
    message: "{where} {problem} characters"
    then: {field: description, function: length, options: {min: 20}}
"""
    write(
        tmp_path,
        {
            "acme.yaml": pack,
            ".toollint.yaml": "extends: [./acme.yaml]\n",
            "tools.yaml": "- name: search\n  description: Search.\n  input_schema:\n    type: object\n"
            "    properties:\n      userName: {type: string, description: User.}\n",
        },
    )
    settings = load_settings(Overrides(), tmp_path)
    result = check_paths([tmp_path / "tools.yaml"], settings)
    assert sorted((d.code, d.span.line, d.severity.label) for d in result.diagnostics if d.code.startswith("ACME")) == [
        ("ACME001", 1, "warning"),
        ("ACME002", 6, "info"),
        ("ACME003", 2, "warning"),
    ]
    messages = {d.code: d.message for d in result.diagnostics}
    assert messages["ACME003"] == "`description` of `search` is shorter than 20 characters"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("code: acme1", "`code` must look like"),
        ("code: ACME1\n    name: Bad Name", "must be kebab-case"),
        (
            "code: ACME1\n    name: x\n    summary: s\n    what: w\n    why: y\n    then: {function: regex}",
            "`then.function` must be one of",
        ),
        (
            "code: TS001\n    name: x\n    summary: s\n    what: w\n    why: y\n    then: {function: truthy}",
            "clashes with TS001",
        ),
    ],
)
def test_invalid_rule_packs_are_config_errors(tmp_path: Path, rule: str, message: str) -> None:
    write(tmp_path, {"pack.yaml": f"rules:\n  - {rule}\n", ".toollint.yaml": "extends: [recommended, pack.yaml]\n"})
    with pytest.raises(ConfigError, match=message):
        load_settings(Overrides(), tmp_path)
