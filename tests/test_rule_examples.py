"""Every rule's documented examples are tests: each bad example fires the rule, each good one does not."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import found, settings
from toollint.catalog.extract import tools_of
from toollint.checks.rule import Example, RuleSpec
from toollint.diff.gate import against
from toollint.diff.lock import locked, tool_hash
from toollint.engine.rulebook import load_builtin
from toollint.engine.run import Extra, check_sources, parse_sources

BOOK = load_builtin()
CASES = [
    pytest.param(rule, kind, i, example, id=f"{rule.code}-{kind}-{i + 1}")
    for rule in BOOK.by_code.values()
    for kind, examples in (("bad", rule.bad), ("good", rule.good))
    for i, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "kind", "index", "example"), CASES)
def test_rule_example(rule: RuleSpec, kind: str, index: int, example: Example) -> None:
    base = settings(extend_select=(rule.code,))
    options = {**base.options, rule.code: {**base.options[rule.code], **example.options}}
    result = check_sources(example.files(), dataclasses.replace(base, options=options), _against_before(rule, example))
    hits = [
        hit
        for hit, d in zip(found(result, rule.code), [d for d in result.diagnostics if d.code == rule.code], strict=True)
        if d.path == example.file
    ]
    if kind == "bad":
        assert hits, f"{rule.code} did not fire on its bad example {index + 1}"
        if example.lines:
            assert sorted({line for line, _, _ in hits}) == sorted(example.lines)
    else:
        assert not hits, f"{rule.code} fired on its good example {index + 1}: {result.diagnostics}"


def _against_before(rule: RuleSpec, example: Example) -> list[Extra]:
    """Change rules compare the example with its `before` version: by diff, or (TC021) through a lock."""
    if example.before is None:
        return []
    old = parse_sources([(example.before_file or example.file, example.before)], explicit=False)
    if rule.code == "TC021":
        pinned = {str(t.name): tool_hash(t) for t in tools_of(old)[0]}
        return [locked(Path("toollint.lock"), pinned)]
    return [against(old)]


def test_every_rule_is_documented_with_examples() -> None:
    for rule in BOOK.by_code.values():
        assert rule.what and rule.why and rule.summary
        if rule.code != "TL005":  # a crashing rule cannot be written as an example
            assert rule.bad and rule.good, f"{rule.code} needs bad and good examples"


def test_codes_and_names_are_unique_and_well_formed() -> None:
    assert len({r.name for r in BOOK.by_code.values()}) == len(BOOK.by_code)
    for code, rule in BOOK.by_code.items():
        assert code == rule.code and code[:2] in {"TL", "TS", "TD", "TN", "TR", "TP", "TC", "TX", "TE"}
