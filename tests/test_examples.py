"""The bundled examples: the well-designed toolset is clean in every format; each postmortem fires its rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from toollint.diagnostics import Severity
from toollint.engine.config import Overrides, load_settings
from toollint.engine.run import check_paths

EXAMPLES = REPO / "examples"


def check(*paths: Path, **overrides: object) -> list[tuple[str, int, str, Severity]]:
    settings = load_settings(Overrides(**overrides), paths[0])  # type: ignore[arg-type]
    result = check_paths(list(paths), settings)
    return [(Path(d.path).name, d.span.line, d.code, d.severity) for d in result.diagnostics]


@pytest.mark.parametrize("name", ["anthropic.json", "openai.json", "mcp.yaml", "mcp_server.py"])
@pytest.mark.parametrize("select", [None, ("ALL",)])
def test_well_designed_toolset_has_no_warning_or_error(name: str, select: tuple[str, ...] | None) -> None:
    found = check(EXAMPLES / "well-designed" / name, select=select)
    assert [f for f in found if f[3] >= Severity.WARNING] == []


POSTMORTEMS = {
    "1-idempotency-cascade": ("tools.yaml", 2, "TR001"),
    "3-hallucinated-tool": ("prompt.md", 3, "TP002"),
    "6-runaway-loop": ("prompt.md", 3, "TP003"),
    "2-out-of-order-parallel": ("tools.json", 19, "TS015"),
    "4-confused-deputy": ("tools.yaml", 3, "TR005"),
    "5-schema-drift": ("tools.json", 17, "TS014"),
    "7-out-of-bound-argument": ("tools.json", 8, "TS004"),
    "8-pocketos-prompt-only-safety": ("tools.json", 3, "TR002"),
}


PROMPT_POSTMORTEMS = {
    "1-idempotency-cascade": ("prompt.md", 4, "TP004"),
    "3-hallucinated-tool": ("prompt.md", 3, "TP002"),
    "6-runaway-loop": ("prompt.md", 3, "TP003"),
    "5-schema-drift": ("prompt.md", 6, "TP006"),
    "7-out-of-bound-argument": ("prompt.md", 6, "TP005"),
    "8-pocketos-prompt-only-safety": ("prompt.md", 3, "TP008"),
}


@pytest.mark.parametrize("folder", POSTMORTEMS)
def test_postmortem_fires_its_rule_at_the_right_key(folder: str) -> None:
    assert POSTMORTEMS[folder][:3] in [f[:3] for f in check(EXAMPLES / "postmortems" / folder)]


@pytest.mark.parametrize("folder", PROMPT_POSTMORTEMS)
def test_prompt_postmortem_fires_exactly_its_prompt_rule(folder: str) -> None:
    prompt_findings = [f[:3] for f in check(EXAMPLES / "postmortems" / folder) if f[0] == "prompt.md"]
    assert prompt_findings[:1] == [PROMPT_POSTMORTEMS[folder]]
    assert {f[2] for f in prompt_findings} == {PROMPT_POSTMORTEMS[folder][2]}


def test_support_agent_findings_are_exactly_the_planted_defects() -> None:
    assert sorted(f[:3] for f in check(EXAMPLES / "support-agent")) == [
        ("knowledge_base.yaml", 24, "TN001"),
        ("knowledge_base.yaml", 32, "TD004"),
        ("orders.json", 36, "TD004"),
        ("orders.json", 41, "TS003"),
        ("system.md", 19, "TP005"),  # the worked example lacks the `amount` that the broken `required` demands
    ]


def test_well_written_prompt_has_no_warning_or_error() -> None:
    found = check(EXAMPLES / "well-designed", select=("ALL",))
    assert [f for f in found if f[3] >= Severity.WARNING] == []
    assert not [f for f in found if f[0] == "system-prompt.md"]
