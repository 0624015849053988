"""Every output format from one real result: SARIF validates against the official schema, GitHub and JUnit are well-formed."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import pytest

from conftest import SHARED, lint, settings
from toollint.engine.run import Result
from toollint.reporting import ReportOptions, renderer

FILES = {
    "tools.json": json.dumps(
        [
            {"name": "a.b", "input_schema": {"type": "object", "properties": {"x, y": {"type": "dict"}}}},
            {"name": "a.b", "description": '100% <&> "quoted"\nsecond line', "input_schema": {"type": "object"}},
        ],
        indent=2,
    ),
    "bad.yaml": "a: [\n",
    "weird.yaml": "- name: 'ctrl\x01char'\n  input_schema: {type: object}\n",
}


@pytest.fixture(scope="module")
def result() -> Result:
    return lint(FILES)


def render(result: Result, name: str) -> str:
    return renderer(name)(result, ReportOptions(settings().rulebook, version="0.1.0"))


def test_json_fields(result: Result) -> None:
    items = json.loads(render(result, "json"))
    assert items and all(
        set(item)
        >= {"code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column", "pointer"}
        for item in items
    )
    dup = next(i for i in items if i["code"] == "TN004")
    assert dup["pointer"] == "/1/name" and dup["related"] == ["tools.json:3:5"]
    assert [json.loads(line) for line in render(result, "jsonl").splitlines()] == items


def test_sarif_validates_against_the_official_schema(result: Result) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = SHARED / "schemas" / "sarif-schema-2.1.0.json"
    if not schema_path.is_file():
        pytest.skip("../shared/schemas/sarif-schema-2.1.0.json is not present")
    log = json.loads(render(result, "sarif"))
    jsonschema.validate(log, json.loads(schema_path.read_text()))
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {d.code for d in result.diagnostics}
    assert len(run["results"]) == len(result.diagnostics)


_COMMAND = re.compile(
    r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^,:]+::[^\r\n]*$"
)


def test_github_workflow_commands(result: Result) -> None:
    lines = render(result, "github").splitlines()
    assert len(lines) == len(result.diagnostics)
    for line in lines:
        assert _COMMAND.match(line), line


def test_github_escaping() -> None:
    from toollint.escape import github_data, github_property

    assert github_data("100%\r\nnext") == "100%25\\r\\nnext"  # a line break from a file is shown, never acted on
    assert github_property("dir,a:b.json") == "dir%2Ca%3Ab.json"


def test_junit_is_well_formed(result: Result) -> None:
    root = ET.fromstring(render(result, "junit").split("\n", 1)[1])
    cases = root.findall(".//testcase")
    assert len(cases) == len(result.diagnostics) == int(root.get("failures", "0"))


def test_junit_without_findings_has_one_passing_case() -> None:
    root = ET.fromstring(render(lint({}), "junit").split("\n", 1)[1])
    assert root.get("failures") == "0" and len(root.findall(".//testcase")) == 1


def test_text_shows_source_line_and_caret_and_summary(result: Result) -> None:
    text = render(result, "text")
    assert "tools.json\n" in text
    assert '    3 |     "name": "a.b",\n      |             ^^^^^' in text
    assert "= note: see tools.json:3:5" in text
    assert text.rstrip().endswith("in 3 files; checked 2 tools and 0 prompts in 3 files.")


def test_concise_is_one_line_per_finding(result: Result) -> None:
    lines = render(result, "concise").splitlines()
    assert lines[0].startswith("bad.yaml:2:1: TL001 [error] invalid YAML")
    assert len(lines) == len(result.diagnostics) + 1


def test_long_minified_lines_are_windowed(result: Result) -> None:
    long = lint(
        {
            "t.json": json.dumps(
                [
                    {
                        "name": "x" * 5000 + ".y",
                        "description": "Look up the record by its id and return it.",
                        "input_schema": {"type": "object"},
                    }
                ]
            )
        }
    )
    text = render(long, "text")
    assert max(len(line) for line in text.splitlines()) < 400
