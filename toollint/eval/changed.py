"""`--changed-since REV`: which cases need to run because one of their tools, their system prompt or the case itself
changed since a git revision. Tools are compared the way `toollint.lock` pins them (the diff engine's hash of what
the model is sent), so any change of a tool counts, and reformatting does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toollint.eval.format import Case


class ChangeError(Exception):
    pass


class _Spec:
    """What `tool_hash` reads from a tool."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec


def unchanged_cases(cases: list[Case], revision: str, root: Path) -> dict[str, set[str]]:
    """Case ids by eval file whose tools, prompt and definition are the same at `revision` as now."""
    from toollint.catalog.extract import declarations
    from toollint.diff.lock import tool_hash
    from toollint.diff.sources import SideError, revision_side
    from toollint.engine.config import ConfigError, Overrides, load_settings

    try:
        settings = load_settings(Overrides(), root)
    except ConfigError as exc:
        raise ChangeError(str(exc)) from None
    old_tools: dict[str, dict[str, str]] = {}
    old_texts: dict[str, str | None] = {}

    def side(path: str) -> list[Any]:
        try:
            return [d for d, _ in revision_side(revision, [Path(path)], settings) if d is not None]
        except SideError as exc:
            raise ChangeError(str(exc)) from None

    def tools_at(path: str) -> dict[str, str]:
        if path not in old_tools:
            found: dict[str, str] = {}
            if Path(path).exists():
                for document in side(path):
                    for tool in declarations(document)[0]:
                        if isinstance(tool.name, str):
                            found[tool.name] = tool_hash(tool)
            old_tools[path] = found
        return old_tools[path]

    def text_at(path: str) -> str | None:
        if path not in old_texts:
            documents = side(path) if Path(path).exists() else []
            old_texts[path] = documents[0].text if documents else None
        return old_texts[path]

    unchanged: dict[str, set[str]] = {}
    for case in cases:
        if _case_changed(case, text_at) or _prompt_changed(case, text_at):
            continue
        if any(t.source and tools_at(t.source).get(t.name) != tool_hash(_Spec(t.spec)) for t in case.tools):  # type: ignore[arg-type]
            continue
        unchanged.setdefault(case.file, set()).add(case.id)
    return unchanged


def _prompt_changed(case: Case, text_at: Any) -> bool:
    if case.system_source is None:
        return False
    old = text_at(case.system_source)
    try:
        now = Path(case.system_source).read_text(encoding="utf-8-sig")
    except OSError:
        return True
    return old is None or old != now


def _case_changed(case: Case, text_at: Any) -> bool:
    """A new or edited case runs too (inline tools and prompts live in the case)."""
    from toollint.loading.yaml_source import YamlParseError, parse_yaml

    old_text = text_at(case.file)
    if old_text is None:
        return True
    try:
        old, _ = parse_yaml(old_text)
        now, _ = parse_yaml(Path(case.file).read_text(encoding="utf-8-sig"))
    except (YamlParseError, OSError):
        return True
    return _case_of(old, case.id) != _case_of(now, case.id) or _defaults(old) != _defaults(now)


def _case_of(data: Any, case_id: str) -> str | None:
    cases = data.get("cases") if isinstance(data, dict) else None
    for case in cases if isinstance(cases, list) else []:
        if isinstance(case, dict) and case.get("id") == case_id:
            return json.dumps(case, sort_keys=True, default=str)
    return None


def _defaults(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    return json.dumps({k: data.get(k) for k in ("defaults", "target")}, sort_keys=True, default=str)
