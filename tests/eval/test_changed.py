"""`--changed-since`: in a real git repository, exactly the cases whose tools or prompt changed run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.eval.conftest import TOOLS, write_suite
from tests.eval.local_api import LocalAPI, first_user_text, text
from toollint.eval import EvalSettings, evaluate

CASES = """
- {id: uses-lookup, user: "[a] hi", tools: [file://lookup.json], expect: {no_tool_calls: true}}
- {id: uses-cancel, user: "[b] hi", tools: [file://cancel.json], expect: {no_tool_calls: true}}
- {id: uses-both, user: "[c] hi", tools: [file://lookup.json, file://cancel.json], expect: {no_tool_calls: true}}
- {id: no-tools-file, user: "[d] hi", tools: [file://escalate.json], expect: {no_tool_calls: true}}
"""


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


def test_only_the_cases_using_the_changed_tool_run(local_api: LocalAPI, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    path = write_suite(repo / "evals", CASES)
    for name, tool in zip(("lookup", "cancel", "escalate"), TOOLS, strict=True):
        (repo / "evals" / f"{name}.json").write_text(json.dumps([tool], indent=1))
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    changed = dict(TOOLS[1], description="Cancel an order that has not shipped yet; refunds are automatic.")
    (repo / "evals" / "cancel.json").write_text(json.dumps([changed], indent=1))
    # reformatting a tool file is no change for the model
    (repo / "evals" / "lookup.json").write_text(json.dumps([TOOLS[0]], indent=4))
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "two")
    for marker in "abcd":
        local_api.script(f"[{marker}]", [[text("Hello!")]])
    monkeypatch.chdir(repo)
    outcome = evaluate(
        EvalSettings(
            paths=(Path("evals"),),
            base_url=local_api.url,
            changed_since="HEAD~1",
            baseline=tmp_path / "b.json",
            max_retries=0,
            quiet=True,
            root=repo,
        )
    )
    ran = {r.case.id for r in outcome.results if r.skipped is None}
    assert ran == {"uses-cancel", "uses-both"}
    assert {outcome.status_of(r).label for r in outcome.results if r.skipped} == {"unchanged"}
    sent = {first_user_text(r.body)[:3] for r in local_api.model_requests()}
    assert sent == {"[b]", "[c]"}
    assert outcome.exit_code == 0
    # a changed system prompt changes every case that uses it; a new case runs too
    (repo / "evals" / "system.md").write_text("You are the support assistant. Never cancel an order.\n")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "three")
    again = evaluate(
        EvalSettings(
            paths=(Path("evals"),),
            base_url=local_api.url,
            changed_since="HEAD~1",
            baseline=tmp_path / "b.json",
            max_retries=0,
            quiet=True,
            root=repo,
        )
    )
    assert {r.case.id for r in again.results if r.skipped is None} == {
        "uses-lookup",
        "uses-cancel",
        "uses-both",
        "no-tools-file",
    }
    path.write_text(path.read_text() + '  - {id: brand-new, user: "[a] hello", expect: {no_tool_calls: true}}\n')
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "four")
    newest = evaluate(
        EvalSettings(
            paths=(Path("evals"),),
            base_url=local_api.url,
            changed_since="HEAD~1",
            baseline=tmp_path / "b.json",
            max_retries=0,
            quiet=True,
            root=repo,
        )
    )
    assert {r.case.id for r in newest.results if r.skipped is None} == {"brand-new"}
