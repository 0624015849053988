"""Count the tools declared in Python in each project, independently of toollint, and compare with what it loads.

The count is a plain `ast` walk with deliberately simple tests (it shares no code with toollint's extraction):
a function decorated with `tool`, `function_tool`, `<anything>.tool` or `<anything>.action`; a call to `Tool(...)`
with a `name=` keyword, `ChatCompletionToolParam(...)` or `StructuredTool.from_function(...)`; a class whose base
is named `Tool`; a dict literal with a `"name"` key and one of `"input_schema"`, `"inputSchema"`, `"parameters"`,
`"args_schema"`. Each declaration is then matched, by file and line range, to a tool toollint loaded
(`toollint inventory --output-format json`) or to a TL006 finding (`toollint check --output-format json`).

    python bench/count_python_tools.py [PROJECTS_DIR] > table.md

PROJECTS_DIR defaults to ../shared/projects next to the checkout. Run from the repository root.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_TOOL_KEYS = {"input_schema", "inputSchema", "parameters", "args_schema"}


@dataclass
class Declared:
    path: str  # relative to the project
    first: int
    last: int
    kind: str
    name: str


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _declared_in(tree: ast.AST, path: str) -> list[Declared]:
    found: list[Declared] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                last = _last_name(target)
                if last in ("tool", "function_tool") or (isinstance(target, ast.Attribute) and last == "action"):
                    kind = "@" + ast.unparse(target)
                    found.append(Declared(path, decorator.lineno, node.lineno, kind, node.name))
                    break
        elif isinstance(node, ast.Call):
            callee = ast.unparse(node.func)
            keywords = {k.arg for k in node.keywords}
            if _last_name(node.func) == "Tool" and "name" in keywords:
                found.append(Declared(path, node.lineno, node.end_lineno or node.lineno, f"{callee}(...)", ""))
            elif callee.endswith("ChatCompletionToolParam") or callee.endswith("StructuredTool.from_function"):
                found.append(Declared(path, node.lineno, node.end_lineno or node.lineno, f"{callee}(...)", ""))
        elif isinstance(node, ast.ClassDef):
            if any(_last_name(base) == "Tool" for base in node.bases):
                found.append(Declared(path, node.lineno, node.end_lineno or node.lineno, "class(Tool)", node.name))
        elif isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            if "name" in keys and keys & _TOOL_KEYS:
                found.append(Declared(path, node.lineno, node.end_lineno or node.lineno, "dict", ""))
    return found


def declared(project: Path) -> list[Declared]:
    result: list[Declared] = []
    for file in sorted(project.rglob("*.py")):
        try:
            tree = ast.parse(file.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError):
            continue
        result.extend(_declared_in(tree, file.relative_to(project).as_posix()))
    return result


def _toollint(project: Path, command: str) -> list[dict]:
    args = [sys.executable, "-m", "toollint", command, str(project), "--output-format", "json"]
    if command == "check":
        args += ["--select", "TL006", "--exit-zero"]
    done = subprocess.run(args, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    data = json.loads(done.stdout or "[]")
    return data if isinstance(data, list) else data.get("tools", data.get("diagnostics", data.get("findings", [])))


def _relative(path: str, project: Path) -> str:
    try:
        return Path(path).resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return path


def compare(project: Path) -> tuple[dict[str, int], list[tuple[Declared, str]]]:
    decls = declared(project)
    inventory = _toollint(project, "inventory")
    loaded = [t for t in inventory if str(t.get("path", "")).endswith(".py")]
    tl006 = _toollint(project, "check")
    loaded_at = [(_relative(t["path"], project), int(t["line"])) for t in loaded]
    tl006_at = [(_relative(d["path"], project), int(d.get("line") or d.get("span", {}).get("line", 0))) for d in tl006]
    counts = {"declared": len(decls), "all": len(inventory), "loaded": len(loaded), "matched": 0, "tl006": 0}
    counts["neither"] = 0
    outcomes: list[tuple[Declared, str]] = []
    for d in decls:
        if any(p == d.path and d.first <= line <= d.last for p, line in loaded_at):
            counts["matched"] += 1
            outcomes.append((d, "loaded"))
        elif any(p == d.path and d.first <= line <= d.last for p, line in tl006_at):
            counts["tl006"] += 1
            outcomes.append((d, "TL006"))
        else:
            counts["neither"] += 1
            outcomes.append((d, "neither"))
    return counts, outcomes


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "projects"
    print(
        "| project | declared in .py (ast count) | loaded from .py | loaded, all files | declared and loaded | "
        "TL006, not loaded | neither |"
    )
    print("|---|---|---|---|---|---|---|")
    missing: list[str] = []
    for project in sorted(p for p in root.iterdir() if p.is_dir()):
        counts, outcomes = compare(project)
        print(
            f"| `{project.name}` | {counts['declared']} | {counts['loaded']} | {counts['all']} | {counts['matched']} | "
            f"{counts['tl006']} | {counts['neither']} |"
        )
        for d, outcome in outcomes:
            if outcome == "neither":
                missing.append(f"- `{project.name}/{d.path}:{d.first}` {d.kind} {d.name}".rstrip())
    print("\nDeclared, neither loaded nor reported (TL006):\n")
    print("\n".join(missing) if missing else "none")


if __name__ == "__main__":
    main()
