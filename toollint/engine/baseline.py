"""Baselines: a file of today's findings, so a team can adopt toollint and fail only on new ones.

A finding is recognised by its logical location — the file (relative to the project root), the tool it is
about, the JSON pointer below that tool, the rule and its message with every number taken out — never by
its line. Editing elsewhere in a file, reordering tools or a description growing by a few characters keeps
a finding's fingerprint; a new finding of the same kind in the same place is counted, not hidden.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from toollint.catalog.extract import declarations
from toollint.diagnostics import Diagnostic, Pointer, to_json_pointer
from toollint.engine.run import Result
from toollint.escape import to_json
from toollint.loading.document import Document

BASELINE_VERSION = 1
FINGERPRINT_KEY = "toollint/v1"  # the name of the fingerprint in SARIF `partialFingerprints`
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NEVER_BASELINED = frozenset({"TL005"})  # a crashed rule is an internal error, exit 2, whatever the baseline says


class BaselineError(Exception):
    """A baseline that cannot be read or written: names the file and says what to do."""


class Logical(NamedTuple):
    """Where a finding is, independent of line numbers."""

    path: str
    tool: str
    pointer: str
    code: str
    message: str

    def fingerprint(self) -> str:
        key = "\0".join(self)
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def normalise_message(message: str) -> str:
    """Numbers out: counts, lengths and `path:12:3` locations change with edits that do not change the finding."""
    return _NUMBER.sub("#", message)


def _project_path(path: str, root: Path) -> str:
    if "://" in path or ":" in path.split("/", 1)[0] and not Path(path).exists():
        return path  # `mcp://server/...` and `REV:path` are already stable names
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return Path(path).as_posix()


class Fingerprinter:
    """Fingerprints of the diagnostics of one run; finds the tool of each pointer once per document."""

    def __init__(self, documents: dict[str, Document], root: Path) -> None:
        self.documents = documents
        self.root = root
        self._tools: dict[str, dict[Pointer, str]] = {}
        self._paths: dict[str, str] = {}

    def _tools_of(self, path: str) -> dict[Pointer, str]:
        tools = self._tools.get(path)
        if tools is None:
            document = self.documents.get(path)
            found = declarations(document)[0] if document is not None else []
            tools = {}
            for tool in found:
                name = tool.name if isinstance(tool.name, str) else repr(tool.name)
                tools.setdefault(tool.pointer, name)
            self._tools[path] = tools
        return tools

    def logical(self, d: Diagnostic) -> Logical:
        path = self._paths.get(d.path)
        if path is None:
            path = self._paths[d.path] = _project_path(d.path, self.root)
        tool, below = "", d.pointer
        if d.pointer:
            tools = self._tools_of(d.path)
            for length in range(len(d.pointer), -1, -1):
                name = tools.get(d.pointer[:length])
                if name is not None:
                    # relative to the tool, so that adding or reordering tools in a list keeps the fingerprint
                    tool, below = name, d.pointer[length:]
                    break
        return Logical(path, tool, to_json_pointer(below), d.code, normalise_message(d.message))

    def fingerprint(self, d: Diagnostic) -> str:
        return self.logical(d).fingerprint()


def _entries(result: Result, root: Path) -> list[dict[str, Any]]:
    printer = Fingerprinter(result.documents, root)
    counted: Counter[Logical] = Counter(
        printer.logical(d) for d in result.diagnostics if d.code not in _NEVER_BASELINED
    )
    return [
        {
            "fingerprint": logical.fingerprint(),
            "count": count,
            "code": logical.code,
            "path": logical.path,
            "tool": logical.tool,
            "pointer": logical.pointer,
            "message": logical.message,
        }
        for logical, count in sorted(counted.items())
    ]


def write_baseline(path: Path, result: Result, root: Path) -> int:
    """Write every finding of `result`; returns how many were recorded."""
    entries = _entries(result, root)
    data = {"version": BASELINE_VERSION, "findings": entries}
    try:
        path.write_text(to_json(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot write baseline `{path}`: {exc.strerror or exc}") from None
    return sum(e["count"] for e in entries)


class Entry(NamedTuple):
    fingerprint: str
    occurrences: int
    code: str
    path: str
    tool: str
    message: str


def read_baseline(path: Path) -> list[Entry]:
    fix = f"recreate it with `toollint check --write-baseline {path}`"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline `{path}` does not exist; create it with `--write-baseline {path}`") from None
    except OSError as exc:
        raise BaselineError(f"cannot read baseline `{path}`: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"baseline `{path}` is not valid JSON ({exc}); {fix}") from None
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list) or data.get("version") != BASELINE_VERSION:
        raise BaselineError(f"`{path}` is not a version {BASELINE_VERSION} toollint baseline; {fix}")
    entries = []
    for index, item in enumerate(findings):
        fingerprint = item.get("fingerprint") if isinstance(item, dict) else None
        count = item.get("count", 1) if isinstance(item, dict) else None
        if not isinstance(fingerprint, str) or not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise BaselineError(f"baseline `{path}`: entry {index} has no valid `fingerprint` and `count`; {fix}")
        text = {k: str(item.get(k, "")) for k in ("code", "path", "tool", "message")}
        entries.append(Entry(fingerprint, count, **text))
    return entries


class Applied(NamedTuple):
    result: Result
    known: int  # findings hidden because the baseline holds them
    gone: list[Entry]  # baseline entries (with how many no longer occur) that can be removed


def apply_baseline(result: Result, entries: Iterable[Entry], root: Path) -> Applied:
    """Keep only findings the baseline does not account for; identical fingerprints are counted."""
    entries = list(entries)
    remaining = Counter[str]()
    for entry in entries:
        remaining[entry.fingerprint] += entry.occurrences
    printer = Fingerprinter(result.documents, root)
    kept: list[Diagnostic] = []
    known = 0
    for d in result.diagnostics:
        if d.code not in _NEVER_BASELINED:
            fingerprint = printer.fingerprint(d)
            if remaining[fingerprint] > 0:
                remaining[fingerprint] -= 1
                known += 1
                continue
        kept.append(d)
    gone = []
    for entry in entries:
        left = min(remaining[entry.fingerprint], entry.occurrences)
        if left > 0:
            gone.append(entry._replace(occurrences=left))
            remaining[entry.fingerprint] -= left
    filtered = dataclasses.replace(result, diagnostics=kept, counts=Counter(d.code for d in kept))
    return Applied(filtered, known, gone)
