"""Eval cases as `check` sees them: each case of a `*.eval.yaml` file with the tools it is run against.

The full eval format (matchers, repeats, targets) belongs to `toollint.eval.format`; this is the small part the
TE rules need, below the checks so that they can read it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from toollint.catalog.model import Tool
from toollint.diagnostics import Pointer
from toollint.loading.document import Document

FILE_PREFIX = "file://"


class EvalCase(NamedTuple):
    """One case of an eval file. `tools` is None when a referenced tools file could not be read."""

    path: str
    pointer: Pointer
    spec: dict[str, Any]
    tools: tuple[Tool, ...] | None
    tools_pointer: Pointer
    missing: tuple[str, ...] = ()  # tool files named by the case that do not exist

    @property
    def id(self) -> str:
        value = self.spec.get("id")
        return value if isinstance(value, str) else f"#{self.pointer[-1]}"


def case_entries(data: Any) -> Iterator[tuple[Pointer, dict[str, Any], Any, Pointer]]:
    """(pointer, case mapping, its `tools` value, where that value is) for each case; case level wins."""
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        return
    defaults: dict[str, Any] = data["defaults"] if isinstance(data.get("defaults"), dict) else {}
    for index, case in enumerate(data["cases"]):
        if not isinstance(case, dict):
            continue
        pointer: Pointer = ("cases", index)
        if "tools" in case:
            yield pointer, case, case["tools"], pointer + ("tools",)
        else:
            yield pointer, case, defaults.get("tools"), ("defaults", "tools")


def tool_references(value: Any) -> tuple[list[str], list[tuple[int | None, dict[str, Any]]]]:
    """The `file://` references and the inline tool objects (with their index in a list) of a `tools` value."""
    items = value if isinstance(value, list) else [value] if value is not None else []
    files: list[str] = []
    inline: list[tuple[int | None, dict[str, Any]]] = []
    for index, item in enumerate(items):
        if isinstance(item, str) and item.startswith(FILE_PREFIX):
            files.append(item[len(FILE_PREFIX) :])
        elif isinstance(item, dict):
            inline.append((index if isinstance(value, list) else None, item))
    return files, inline


def resolve_reference(eval_path: str, reference: str) -> str:
    """A `file://` reference relative to the eval file, as a normalised path in the eval file's own style."""
    if posixpath.isabs(reference):
        return posixpath.normpath(reference)
    return posixpath.normpath(posixpath.join(posixpath.dirname(eval_path), reference))


def eval_cases(document: Document, lookup: Callable[[str], Document | None]) -> Iterator[EvalCase]:
    """The cases of one eval document; `lookup` finds a referenced tools file by its normalised path."""
    from toollint.catalog.extract import declarations, tools_in

    for pointer, case, value, tools_pointer in case_entries(document.data):
        files, inline = tool_references(value)
        tools: list[Tool] = []
        missing: list[str] = []
        for reference in files:
            found = lookup(resolve_reference(document.path, reference))
            if found is None:
                missing.append(reference)
            else:
                tools.extend(declarations(found)[0])
        for index, item in inline:
            at = tools_pointer + ((index,) if index is not None else ())
            tools.extend(tools_in(item, at, document.path))
        yield EvalCase(document.path, pointer, case, None if missing else tuple(tools), tools_pointer, tuple(missing))
