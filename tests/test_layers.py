"""Imports flow one way, down the stages of DESIGN §2; no module reaches up, not even for type hints."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "toollint"
# higher rank may import lower rank; eval runs the diff engine for --changed-since, so it sits above diff
RANK = {"cli": 8, "eval": 7, "diff": 6, "reporting": 5, "engine": 4, "checks": 3, "catalog": 2, "loading": 1}
SHARED = 0  # the small modules at the top of the package: diagnostics, tool_shapes, lazy_pattern, ...


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in RANK) else None


def _rank(stage: str | None) -> int:
    return SHARED if stage is None else RANK[stage]


def test_imports_only_go_down_the_stages() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py":
            continue  # `python -m toollint` starts the CLI: the one import from the very top
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        own = _stage(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("toollint."):
                target = _stage(node.module)
                if target != own and _rank(target) >= _rank(own):
                    upward.append(f"{module}:{node.lineno} imports {node.module}")
    assert upward == []
