"""Hostile names, descriptions and file names in every output format: nothing raw reaches stdout, every output is well-formed.

The inputs are the ones a hostile tool definition would use: a newline followed by a GitHub workflow command,
`%0A`, an ANSI screen clear, an OSC-8 hyperlink, a bidi override, a backtick, a markdown link, an image and an
@mention, NUL/BEL/DEL/C1, a Unicode tag character and a lone surrogate.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from conftest import REPO, run_cli
from toollint import escape
from toollint.engine.config import OUTPUT_FORMATS

HOSTILE = [
    "evil\n::error file=app.py,line=1::forged",
    "mask%0A::add-mask::secret",
    "stop\r\n::stop-commands::tok",
    "clear\x1b[2Jscreen",
    "osc\x1b]8;;http://evil.example\x07link\x1b]8;;\x07",
    "rtl\u202etxt.exe\u2066iso\u2069",
    "tick`x``y",
    "[x](http://evil.example) ![i](http://evil.example/i.png) @octocat <b>html</b>",
    "nul\x00bel\x07del\x7fc1\x85\x9b",
    "tag\U000e0041zw\u200bsep\u2028",
    "legacy ##[add-mask]secret",
    "::error::at-start",
    "pipe\\|cell",
]
FILE_NAMES = [
    "evil\n::error::name.json",
    "rtl\u202eevil.json",
    "::warning::x.json",
    "tick`[l](http:x).json",
    "latin1-\udce9.json",  # the name's byte 0xE9 is not UTF-8: Python holds it as a lone surrogate
]
# every format the CLI offers, so that a format added later is held to the same rules
JSON_FORMATS = [f for f in OUTPUT_FORMATS if f in ("json", "jsonl", "sarif", "gitlab")]
TEXT_FORMATS = [f for f in OUTPUT_FORMATS if f not in JSON_FORMATS]

# what must never be raw in what we print: the escape module's own set, except the line breaks we write ourselves
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\U000e0000-\U000e007f]"
)
_COMMAND = re.compile(
    r"^::(error|warning|notice) file=[^,:]*,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^,:]+::"
)


def tool(name: str) -> dict[str, object]:
    return {
        "name": name,
        "description": f"Sends {name} to the queue.",
        "input_schema": {"type": "object", "properties": {name: {"type": "dict", "description": name}}},
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "tools.json").write_text(json.dumps([tool(n) for n in HOSTILE]), encoding="utf-8")
    for name in FILE_NAMES:
        (root / name).write_text(json.dumps([tool("a.b")]), encoding="utf-8")
    (root / "agent.md").write_text(
        "You are a support assistant.\x1b[2J\u202e Use the `tick` tool to look up orders and the "
        "`[x](http://evil.example)` tool to refund them; never call `missing\x1b[2J`.\n"
    )
    return root


def check(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = run_cli("check", ".", *args, cwd=project)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done


def assert_nothing_raw(text: str) -> None:
    raw = RAW.search(text)
    assert raw is None, (raw.group(), text[max(0, raw.start() - 80) : raw.end() + 80])
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line  # a GitHub workflow command
        assert "##[" not in line, line  # the legacy form, matched anywhere in a line


@pytest.mark.parametrize("output_format", [f for f in TEXT_FORMATS if f != "github"])
def test_text_formats_print_nothing_raw(project: Path, output_format: str) -> None:
    done = check(project, "--output-format", output_format)
    assert_nothing_raw(done.stdout)
    assert "\\x1b[2J" in done.stdout and "\\u202e" in done.stdout  # shown, not dropped


def test_text_shows_the_caret_under_the_escaped_excerpt(project: Path) -> None:
    lines = check(project, "--select", "TP001").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "TP001  `tick` " in line)
    excerpt, caret = lines[at + 1], lines[at + 2]
    assert "\\x1b[2J\\u202e Use the `tick` tool" in excerpt
    start = caret.index("^")
    assert excerpt[start : start + 4] == "tick" and caret.count("^") == 4


def test_github_lines_are_each_one_command(project: Path) -> None:
    done = check(project, "--output-format", "github")
    assert RAW.search(done.stdout) is None
    lines = done.stdout.splitlines()
    assert len(lines) == len(json.loads(check(project, "--output-format", "json").stdout))
    for line in lines:
        assert _COMMAND.match(line), line  # the data after it may quote `::`: the runner reads commands at line start
    assert any("mask%250A::add-mask::secret" in line for line in lines)  # `%0A` stays text
    assert any("file=evil\\n%3A%3Aerror%3A%3Aname.json" in line for line in lines)


def test_markdown_makes_nothing_live(project: Path) -> None:
    done = check(project, "--output-format", "markdown")
    for line in done.stdout.splitlines():
        outside = outside_code_spans(line)
        for live in ("[", "<", "@", "://", "www."):
            assert live not in outside, (live, line)
        if line.startswith("| "):
            assert len(re.findall(r"(?<!\\)\|", line)) == 5, line  # no cell added by a pipe in a name


def outside_code_spans(line: str) -> str:
    """The text of a markdown line outside its code spans (CommonMark: a run of n backticks closes only with n)."""
    out, i = [], 0
    while i < len(line):
        run = re.match("`+", line[i:])
        if run is None:
            out.append(line[i])
            i += 1
            continue
        fence = run.group()
        close = re.search(f"(?<!`){fence}(?!`)", line[i + len(fence) :])
        if close is None:
            out.append(fence)
            i += len(fence)
        else:
            i += len(fence) + close.end()
    return "".join(out)


def test_junit_is_well_formed_xml(project: Path) -> None:
    done = check(project, "--output-format", "junit")
    root = ET.fromstring(done.stdout.split("\n", 1)[1])
    assert any("clear\\x1b[2Jscreen" in (f.get("message") or "") for f in root.iter("failure"))


@pytest.mark.parametrize("output_format", JSON_FORMATS)
def test_json_formats_keep_the_values_and_print_nothing_raw(project: Path, output_format: str) -> None:
    done = check(project, "--output-format", output_format)
    assert_nothing_raw(done.stdout)
    if output_format == "jsonl":
        messages = [json.loads(line)["message"] for line in done.stdout.splitlines()]
    elif output_format == "json":
        messages = [item["message"] for item in json.loads(done.stdout)]
    elif output_format == "gitlab":
        messages = [item["description"] for item in json.loads(done.stdout)]
    else:
        results = json.loads(done.stdout)["runs"][0]["results"]
        messages = [r["message"]["text"] for r in results]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
        assert "latin1-%E9.json" in uris and "evil%0A%3A%3Aerror%3A%3Aname.json" in uris
    for name in HOSTILE:  # the exact value, decoded from the escapes
        assert any(f"`{name}`" in message for message in messages), name


def test_statistics_and_inventory(project: Path) -> None:
    assert_nothing_raw(check(project, "--statistics").stdout)
    for output_format in ("text", "markdown"):
        done = run_cli("inventory", ".", "--output-format", output_format, cwd=project)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert_nothing_raw(done.stdout)
    done = run_cli("inventory", ".", "--output-format", "json", cwd=project)
    assert_nothing_raw(done.stdout)
    assert set(HOSTILE) <= {item["name"] for item in json.loads(done.stdout)["tools"]}
    for line in run_cli("inventory", ".", "--output-format", "markdown", cwd=project).stdout.splitlines():
        assert not {"[", "<", "@"} & set(outside_code_spans(line)), line


def test_rule_docs_from_a_rule_pack_are_escaped() -> None:
    from toollint.checks.rule import Example, OptionSpec
    from toollint.engine.rulebook import load_builtin
    from toollint.reporting.ruledoc import render_rule, render_rule_list

    book = load_builtin()
    spec = book.by_code["TS003"]
    hostile = "\x1b]8;;http://evil.example\x07x\n::error::forged\u202e"
    pack_rule = spec._replace(
        name="evil\x1b[2J",
        summary=hostile,
        what=hostile,
        why=hostile,
        options=(OptionSpec("o\x07", "string", "\x9b", hostile),),
        bad=(Example("::error::x.json", f"```` {hostile}", {}),),
    )
    doc = render_rule(pack_rule, book)
    assert_nothing_raw(doc)
    assert "`````" in doc  # the example's fence is longer than the backticks inside it
    book.by_code["TS003"] = pack_rule
    try:
        assert_nothing_raw(render_rule_list(book))
    finally:
        book.by_code["TS003"] = spec


def test_messages_on_stderr_are_escaped(tmp_path: Path) -> None:
    (tmp_path / "bad\x1b[2J.yaml").write_text("a: [\n")
    done = run_cli("inventory", ".", cwd=tmp_path)
    assert "bad\\x1b[2J.yaml" in done.stderr and RAW.search(done.stderr) is None, done.stderr


# --- lone surrogates (issue 15 C1) -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def surrogate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("surrogate")
    (root / "tools.json").write_text(
        '[{"name": "a\\ud800b", "description": "Sends \\udc9b\\ud800 it.", "input_schema": {"type": "object"}}]'
    )
    return root


@pytest.mark.parametrize("output_format", TEXT_FORMATS + JSON_FORMATS)
def test_a_lone_surrogate_is_escaped_in_every_format(surrogate: Path, output_format: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "toollint", "check", ".", "--output-format", output_format],
        cwd=surrogate,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
    stdout = done.stdout.decode("utf-8")  # strict: nothing that is not UTF-8
    assert "a\\ud800b" in stdout
    if output_format in JSON_FORMATS:
        text = stdout.splitlines()[0] if output_format == "jsonl" else stdout
        assert "a\ud800b" in json.dumps(json.loads(text), ensure_ascii=False)  # the value itself, decoded
    report = tmp_path / "report.out"
    written = run_cli("check", ".", "--output-format", output_format, "--output-file", str(report), cwd=surrogate)
    assert written.returncode == 1, written.stderr
    assert "a\\ud800b" in report.read_bytes().decode("utf-8")


def test_a_lone_surrogate_in_inventory_and_lock(surrogate: Path) -> None:
    for output_format in ("text", "markdown", "json"):
        done = run_cli("inventory", ".", "--output-format", output_format, cwd=surrogate)
        assert done.returncode == 0 and "a\\ud800b" in done.stdout, done.stderr
    locked = run_cli("lock", ".", cwd=surrogate)
    assert locked.returncode == 0, locked.stderr
    assert "a\ud800b" in json.loads((surrogate / "toollint.lock").read_text(encoding="utf-8"))["tools"]
    again = run_cli("check", ".", "--locked", "--select", "TC", cwd=surrogate)
    assert again.returncode == 0, again.stdout + again.stderr  # the pinned tool is found unchanged


# --- the escaping functions -----------------------------------------------------------------------------------


def test_every_control_format_and_separator_character_is_escaped() -> None:
    unsafe = [
        chr(c)
        for c in range(0x110000)
        if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs", "Zl", "Zp") or c in (0xFFFE, 0xFFFF)
    ]
    joined = "".join(unsafe)
    escaped = escape.escape(joined)
    assert escaped.isascii() and RAW.search(escaped) is None
    assert escaped.count("\\") == len(unsafe)
    spaced = "x".join(unsafe)  # apart, so that no two lone surrogates decode as a pair
    encoded = escape.to_json(spaced)
    assert encoded.isascii() and json.loads(encoded) == spaced


def test_visible_neutralises_github_commands_and_keeps_plain_text() -> None:
    assert escape.visible("get_weather: café, 東京 – ok") == "get_weather: café, 東京 – ok"
    assert escape.visible("  ::add-mask::x") == "  \\x3a:add-mask::x"
    assert escape.visible("a ##[error]b") == "a ##\\x5berror]b"
    assert escape.visible("a\r\nb\tc") == "a\\r\\nb\\tc"
    assert escape.github_data("100%0A") == "100%250A"


def test_markdown_code_spans_cannot_be_closed() -> None:
    assert escape.md_code("a``b") == "```a``b```"
    assert escape.md_code("`a") == "`` `a ``"
    assert escape.md_code("a|b", table=True) == "`a\\|b`"
    assert escape.md_code("a\\|b", table=True) == "`a\\x5c\\|b`"
    assert escape.md_text("tool `get_x` is fine") == "tool `get_x` is fine"
    assert escape.md_text("see [x](http://e.example) @me") == "`see [x](http://e.example) @me`"


def test_the_repo_prints_only_through_the_escaping_module() -> None:
    """Renderers build their lines from escaped fields; none keeps a private copy of the escaping."""
    for path in (REPO / "toollint" / "reporting").glob("*.py"):
        source = path.read_text()
        if path.name != "escape.py":
            assert "%0A" not in source and "ensure_ascii=False) +" not in source, path.name
