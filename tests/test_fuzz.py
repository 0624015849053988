"""Random junk in every position of every tool format: rules report it or ignore it, and never crash (no TL005).

The hypothesis half adds hostile text (controls, bidi, surrogates, workflow commands, markdown) in names,
schemas and prompts, diffs between two such toolsets, and byte mutations of real corpus files, and checks that
every renderer's output is well-formed. Examples are few (`max_examples`) so the file runs in CI in seconds.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from conftest import CORPORA, lint, settings
from toollint.engine.config import OUTPUT_FORMATS
from toollint.engine.run import Result, check_paths, check_sources, parse_sources
from toollint.reporting import ReportOptions, renderer
from toollint.reporting.text import render_statistics

KEYS = [
    "type",
    "properties",
    "required",
    "items",
    "enum",
    "description",
    "$ref",
    "anyOf",
    "allOf",
    "oneOf",
    "additionalProperties",
    "pattern",
    "minimum",
    "maxLength",
    "default",
    "const",
    "prefixItems",
    "$defs",
    "x-toollint",
    "name",
    "input_schema",
    "inputSchema",
    "parameters",
    "function",
    "annotations",
    "ignore",
]


def junk(rng: random.Random, depth: int = 0) -> object:
    kinds = (
        ["str", "int", "float", "bool", "none", "list", "dict", "type", "schema"]
        if depth < 5
        else ["str", "int", "none"]
    )
    kind = rng.choice(kinds)
    if kind == "str":
        return rng.choice(["", "x", "dict", "object", "a.b", "[", "(?<n>x)", "\u202e", "#/$defs/a", "#", "💥" * 3])
    if kind == "int":
        return rng.choice([0, -1, 10**20, 3])
    if kind == "float":
        return rng.choice([0.5, -2.5, 1e308])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "list":
        return [junk(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "type":
        return rng.choice(["string", "integer", ["string", "null"], [], "String", 5])
    return {rng.choice(KEYS): junk(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def tool(rng: random.Random) -> object:
    schema = {
        "type": junk(rng),
        "properties": {f"p{i}": junk(rng) for i in range(rng.randint(0, 4))},
        "required": junk(rng),
    }
    body = {"name": rng.choice(["ok", "a.b", 5, None, "x" * 200]), "description": junk(rng), "x-toollint": junk(rng)}
    shape = rng.choice(["anthropic", "mcp", "openai", "responses", "gemini"])
    if shape == "anthropic":
        return {**body, "input_schema": schema if rng.random() < 0.8 else junk(rng)}
    if shape == "mcp":
        return {**body, "inputSchema": schema, "annotations": junk(rng)}
    if shape == "openai":
        return {"type": "function", "function": {**body, "parameters": schema}}
    if shape == "responses":
        return {"type": "function", **body, "parameters": junk(rng)}
    return {"function_declarations": [{**body, "parameters": schema}]}


@pytest.mark.parametrize("seed", range(40))
def test_random_tools_never_crash_a_rule(seed: int) -> None:
    rng = random.Random(seed)
    tools = [tool(rng) for _ in range(8)]
    files = {"tools.json": json.dumps(tools), "tools.yaml": yaml.safe_dump({"tools": tools}, allow_unicode=True)}
    result = lint(files, select=("ALL",))
    crashes = [d.message for d in result.diagnostics if d.code == "TL005"]
    assert not crashes, crashes[:3]


# --- hypothesis: hostile text anywhere, diffs, byte mutations of real files; every renderer stays well-formed ---

# what a renderer must never print raw (the line breaks between findings are its own)
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\U000e0000-\U000e007f]"
)
_GITHUB = re.compile(
    r"::(error|warning|notice) file=[^,:\r\n]*,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^,:]+::"
)
# few examples and no deadline: bounded in CI on a loaded machine; CI replays the same examples every run (a red CI
# is a bug, never bad luck), while local runs explore new ones; no example database is written into the checkout
FUZZ = settings_(
    max_examples=int(os.environ.get("TOOLLINT_FUZZ_EXAMPLES", "25")),  # raise it for a longer local hunt
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# any character, surrogates and controls included, with the hostile ones made likely
hostile_text = st.lists(
    st.characters(codec=None, categories=None)
    | st.sampled_from(["\n", "\r", "\x1b", "\x07", "\x00", "\x85", "\u202e", "\u2066", "\ud800", "`", "|", "%", ":"])
    | st.sampled_from(["::error::x", "%0A", "\x1b]8;;http://e.example\x07", "[x](http://e.example)", "##[add-mask]"]),
    max_size=12,
).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | hostile_text,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS) | hostile_text, inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def hostile_tool(draw: st.DrawFn) -> dict[str, object]:
    name = draw(st.sampled_from(["get_order", "send_email"]) | hostile_text)
    properties = draw(st.dictionaries(hostile_text, json_values | st.just({"type": "string"}), max_size=3))
    schema = {"type": "object", "properties": properties, "required": draw(st.lists(hostile_text, max_size=2))}
    body = {"name": name, "description": draw(hostile_text), "input_schema": schema}
    if draw(st.booleans()):
        body["x-toollint"] = draw(json_values)
    return body


@st.composite
def hostile_prompt(draw: st.DrawFn, names: list[str]) -> str:
    words = draw(
        st.lists(
            st.sampled_from(["You are", "Use", "Never call", "then", "\n", "```json\n", "{{ x }}"]) | hostile_text,
            max_size=8,
        )
    )
    refs = [f"`{draw(st.sampled_from(names))}`" for _ in range(draw(st.integers(0, 3)))] if names else []
    return " ".join(words + refs) + "\n"


def assert_renders_well(result: Result) -> None:
    """Every output format of `result`: machine formats parse, text formats carry nothing raw."""
    options = ReportOptions(settings().rulebook, version="0")
    for name in OUTPUT_FORMATS:  # a format added later is held to the same rules
        out = renderer(name)(result, options)
        out.encode("utf-8")  # no lone surrogate left
        if name in ("json", "sarif", "gitlab"):
            json.loads(out)
        elif name == "jsonl":
            for line in out.splitlines():
                json.loads(line)
        else:
            assert RAW.search(out) is None, (name, RAW.search(out))
            assert "##[" not in out, name
        if name == "junit":
            ElementTree.fromstring(out.split("\n", 1)[1])
        if name == "github":
            for line in out.splitlines():
                assert _GITHUB.match(line), line
        elif name in ("text", "concise", "markdown"):
            assert not any(line.lstrip().startswith("::") for line in out.splitlines()), name
    statistics = render_statistics(result)
    assert RAW.search(statistics) is None


def assert_clean(result: Result) -> None:
    crashes = [d.message for d in result.diagnostics if d.code == "TL005"]
    assert not crashes, crashes[:3]
    assert_renders_well(result)


@FUZZ
@given(tools=st.lists(hostile_tool(), min_size=1, max_size=4), data=st.data())
def test_hostile_tools_and_prompts_render_safely(tools: list[dict[str, object]], data: st.DataObject) -> None:
    names = [t["name"] for t in tools if isinstance(t["name"], str)]
    prompt = data.draw(hostile_prompt(names))
    files = {
        "tools.json": json.dumps(tools),
        "more.yaml": yaml.safe_dump({"tools": tools}),
        "one.jsonl": "\n".join(json.dumps(t) for t in tools) + "\n",
        "agent.md": prompt,
    }
    result = lint(files, select=("ALL",))
    assert_clean(result)
    from toollint.catalog.extract import tools_of
    from toollint.reporting.inventory import render, rows

    found, documents = tools_of(parse_sources(files.items()))
    for output_format in ("text", "markdown", "json"):
        out = render(rows(found, documents), output_format)
        out.encode("utf-8")
        if output_format == "json":
            json.loads(out)
        else:
            assert RAW.search(out) is None


@FUZZ
@given(old=st.lists(hostile_tool(), min_size=1, max_size=3), new=st.lists(hostile_tool(), min_size=1, max_size=3))
def test_hostile_diffs_render_safely(old: list[dict[str, object]], new: list[dict[str, object]]) -> None:
    from toollint.diff.gate import against

    both = old[:1] + new  # one tool kept by name, so that changes of a tool are compared too
    result = check_sources(
        [("tools.json", json.dumps(both))],
        settings(select=("ALL",)),
        extra=[against(parse_sources([("tools.json", json.dumps(old))]))],
    )
    assert_clean(result)


def _corpus_files() -> list[Path]:
    if not CORPORA.is_dir():
        return []
    kinds = {".json", ".jsonl", ".yaml", ".yml", ".md", ".py"}
    return sorted(p for p in CORPORA.rglob("*") if p.suffix in kinds and p.is_file() and p.stat().st_size < 100_000)


CORPUS = _corpus_files()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(CORPUS))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        how = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if how == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "insert":
            data[at:at] = draw(
                st.binary(max_size=8) | st.sampled_from([b"\x1b[2J", b"\n::error::x", b"\xed\xa0\x80", b'"\\ud800"'])
            )
        elif how == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            del data[at:]
    return path.suffix, bytes(data)


@pytest.mark.skipif(not CORPUS, reason="../shared/corpora is not present")
@FUZZ
@given(files=st.lists(mutated(), min_size=1, max_size=3))
def test_mutated_corpus_files_render_safely(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, (suffix, data) in enumerate(files):
            path = Path(folder) / f"f{i}{suffix}"
            path.write_bytes(data)
            paths.append(path)
        result = check_paths(paths, settings(select=("ALL",)))
    assert_clean(result)
