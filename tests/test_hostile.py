"""Hostile inputs give a clean diagnostic within 2 s and 300 MB, never a traceback and never a hang."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROBE = """
import json, resource, sys, time
from toollint.cli import main
start = time.perf_counter()
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
try:  # VmHWM belongs to this process image; ru_maxrss on Linux also counts the parent's size before exec
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
sys.stderr.write(json.dumps({"exit": code, "seconds": time.perf_counter() - start, "peak_mb": peak}) + "\\n")
"""


def probe(path: Path) -> tuple[dict[str, float], list[dict[str, object]], str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "check", str(path), "--output-format", "json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    stats = json.loads(done.stderr.strip().splitlines()[-1])
    return stats, json.loads(done.stdout or "[]"), done.stderr


def alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def ref_cycle() -> str:
    schema = {
        "type": "object",
        "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
        "properties": {"x": {"$ref": "#/$defs/a"}, "self": {"$ref": "#"}},
    }
    return json.dumps([{"name": "loop", "description": "Cycles.", "input_schema": schema}])


def deep_properties(depth: int) -> str:
    schema: dict[str, object] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"p": schema}}
    return json.dumps([{"name": "deep", "description": "Deep.", "input_schema": schema}])


NESTING = re.compile(r"(?i)\bnest(ing|ed)\b.*\b(deep|depth)")
CASES: dict[str, tuple[str, Any, str | re.Pattern[str] | None]] = {
    "yaml alias bomb": ("bomb.yaml", lambda: alias_bomb().encode(), "alias bomb"),
    "yaml recursive alias": ("cycle.yaml", lambda: b"tools: &t [*t]\n", "contains it"),
    # the behaviour, not one library's wording: PyYAML 6.0.4's libyaml stops deep flow nesting with its own message
    "json 10,000-deep nesting": ("deep.json", lambda: ("[" * 10_000 + "]" * 10_000).encode(), NESTING),
    "yaml 10,000-deep nesting": ("deep.yaml", lambda: ("[" * 10_000 + "]" * 10_000).encode(), NESTING),
    "yaml 100,000-deep block nesting": (
        "deeper.yaml",
        lambda: "".join(f"{' ' * i}- " for i in range(0, 2000, 1)).encode() + b"x\n",
        NESTING,
    ),
    "json $ref cycle": ("refs.json", lambda: ref_cycle().encode(), None),
    "json 900-deep schema": ("deep_schema.json", lambda: deep_properties(450).encode(), None),
    "50 MB file": (
        "huge.json",
        lambda: b"[" + b'{"name": "t", "description": "x"},' * 1_600_000 + b"{}]",
        "above the 10 MB limit",
    ),
    "invalid UTF-8": ("latin1.json", lambda: '[{"name": "caf\u00e9"}]'.encode("latin-1"), "invalid UTF-8"),
    "binary file": ("image.json", lambda: bytes(range(256)) * 64, "binary file"),
    # libcst's native parser overflows the C stack on these; they must be refused before it sees them
    "python 100,000-deep brackets": ("deep.py", lambda: b"TOOLS = " + b"[" * 100_000 + b"]" * 100_000, "too deeply"),
    "python 20,000-term expression": ("long.py", lambda: b"TOOLS = 1" + b" + 1" * 20_000, "too deeply"),
    "python 50,000 unary minuses": ("minus.py", lambda: b"TOOLS = " + b"-" * 50_000 + b"1", "too deeply"),
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_input(case: str, tmp_path: Path) -> None:
    name, make, message = CASES[case]
    path = tmp_path / name
    path.write_bytes(make())
    stats, diagnostics, _ = probe(path)
    assert stats["seconds"] < 2.0, stats
    assert stats["peak_mb"] < 300, stats
    assert stats["exit"] in (0, 1), stats
    if message is not None:
        assert [d["code"] for d in diagnostics] == ["TL001"]
        assert re.search(message, diagnostics[0]["message"]), diagnostics[0]["message"]
        if message is NESTING:  # at the nesting, not at the start of the file
            assert diagnostics[0]["line"] > 1 or diagnostics[0]["column"] > 1, diagnostics[0]


def test_invalid_utf8_position_points_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(b"tools:\n  - name: caf\xe9\n")
    _, diagnostics, _ = probe(path)
    assert (diagnostics[0]["line"], diagnostics[0]["column"]) == (2, 14)
