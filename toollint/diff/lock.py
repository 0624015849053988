"""Tool pinning: `toollint.lock` holds a hash of each tool's normalised definition; `check --locked` compares.

The hash covers what the model is sent — name, description, schemas, annotations — as canonical JSON, so
reformatting a file, reordering keys or turning JSON into YAML keeps it, and any change of meaning, such
as an MCP server quietly rewriting a description, breaks it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toollint.catalog.model import Catalog, Tool
from toollint.diagnostics import Diagnostic, Span, Violation
from toollint.engine.config import Settings
from toollint.engine.run import Collector
from toollint.escape import to_json
from toollint.loading.document import DEFAULT_MAX_FILE_SIZE, Document, LoadError, read_bytes

LOCK_NAME = "toollint.lock"
LOCK_VERSION = 1


class LockError(Exception):
    pass


def tool_hash(tool: Tool) -> str:
    definition = {key: value for key, value in tool.spec.items() if key != "x-toollint"}
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    # surrogatepass: a lone surrogate (`"\ud800"` in JSON) is hashed as it is, never a crash
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def lock_key(tool: Tool) -> str:
    """A tool's name; a live server's tool is pinned by its address, apart from a file's tool of the same name
    (the server's own source, checked alongside it)."""
    return tool.path if tool.path.startswith("mcp://") else str(tool.name)


def lock_data(tools: tuple[Tool, ...] | list[Tool], root: Path) -> dict[str, Any]:
    entries: dict[str, Any] = {}
    for tool in tools:
        if not isinstance(tool.name, str):
            continue
        try:
            # a live server's address (`mcp://server/tools/name`) is no file
            source = tool.path if "://" in tool.path else Path(os.path.realpath(tool.path)).relative_to(root).as_posix()
        except ValueError:
            source = Path(tool.path).as_posix()
        entries.setdefault(lock_key(tool), {"hash": tool_hash(tool), "source": source})
    return {"version": LOCK_VERSION, "tools": dict(sorted(entries.items()))}


def write_lock(path: Path, tools: tuple[Tool, ...] | list[Tool], root: Path) -> int:
    data = lock_data(tools, root)
    path.write_text(to_json(data, indent=2) + "\n", encoding="utf-8")
    return len(data["tools"])


def read_lock(path: Path) -> dict[str, str]:
    """Tool name → hash; a lock that cannot be read is an error that says how to recreate it."""
    raw = read_bytes(path, str(path), DEFAULT_MAX_FILE_SIZE)  # a FIFO or a device as the lock must not hang
    if isinstance(raw, LoadError):
        reason = raw.message.removeprefix("cannot read file: ")
        raise LockError(f"cannot read `{path}`: {reason}; create it with `toollint lock`")
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError both
        raise LockError(f"`{path}` is not valid JSON ({exc}); recreate it with `toollint lock`") from exc
    except RecursionError:
        raise LockError(
            f"`{path}` is nested too deeply to be a toollint lock; recreate it with `toollint lock`"
        ) from None
    tools = data.get("tools") if isinstance(data, dict) else None
    if not isinstance(tools, dict) or data.get("version") != LOCK_VERSION:
        raise LockError(f"`{path}` is not a version {LOCK_VERSION} toollint lock; recreate it with `toollint lock`")
    return {
        str(name): str(entry.get("hash"))
        for name, entry in tools.items()
        if isinstance(entry, dict) and isinstance(entry.get("hash"), str)
    }


def find_lock(settings: Settings) -> Path:
    return settings.root / LOCK_NAME


def lock_diagnostics(
    lock_path: Path, pinned: dict[str, str], catalog: Catalog, documents: dict[str, Document], settings: Settings
) -> list[Diagnostic]:
    """TC021 for every tool whose definition is not the one pinned in the lock."""

    rule = settings.rulebook.by_code["TC021"]
    collector = Collector(settings, documents)
    seen: set[str] = set()
    for tool in catalog.tools:
        if not isinstance(tool.name, str) or lock_key(tool) in seen:
            continue
        seen.add(lock_key(tool))
        expected = pinned.get(lock_key(tool))
        if expected is None:
            message = f"tool `{tool.name}` is not in `{lock_path.name}`; review it, then run `toollint lock`"
        elif expected != tool_hash(tool):
            message = (
                f"the definition of `{tool.name}` differs from the one pinned in `{lock_path.name}`; review the change "
                "(a server that rewrites its tools after approval is a rug pull), then run `toollint lock`"
            )
        else:
            continue
        collector.add(rule, Violation(tool.at("name"), message), tool.path)
    diagnostics = collector.resolve()
    for name in sorted(set(pinned) - seen):
        message = f"tool `{name}` is pinned in `{lock_path.name}` but no longer defined; run `toollint lock` if it was removed on purpose"
        span = Span(1, 1, 1, 2)
        severity = settings.severity.get(rule.code, rule.severity)
        diagnostics.append(Diagnostic(rule.code, rule.name, severity, message, _display(lock_path), span))
    return diagnostics


def _display(path: Path) -> str:
    from toollint.loading.document import display_path

    return display_path(Path(os.path.relpath(path)))  # found from the project root: shown from here


def locked(
    lock_path: Path, pinned: dict[str, str]
) -> Callable[[Catalog, dict[str, Document], Settings], list[Diagnostic]]:
    """The `check --locked` extra."""
    return lambda catalog, documents, settings: lock_diagnostics(lock_path, pinned, catalog, documents, settings)
