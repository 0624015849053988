"""`toollint inventory`: every tool with its risk class, approval gate, idempotency and source — the table a team reviews."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from toollint.catalog.model import Tool
from toollint.catalog.risk import RiskProfile
from toollint.escape import md_text, to_json, visible
from toollint.loading.document import Document


def rows(tools: Sequence[Tool], documents: dict[str, Document]) -> list[dict[str, Any]]:
    out = []
    for tool in tools:
        found: RiskProfile = tool.risk
        document = documents.get(tool.path)
        line = document.span(tool.at("name"), "key").line if document is not None else 1
        out.append(
            {
                "name": tool.display_name,
                "format": tool.format,
                "risk": found.risk,
                "risk_source": found.risk_source,
                "approval": found.approval or "none",
                "approval_source": found.approval_source,
                "idempotency": found.idempotency or ("not needed" if found.risk == "read" else "none"),
                "idempotency_source": found.idempotency_source,
                "path": tool.path,
                "line": line,
            }
        )
    return out


def render(items: list[dict[str, Any]], output_format: str) -> str:
    if output_format == "json":
        return to_json(items, indent=2) + "\n"
    headers = ("tool", "risk", "approval", "idempotency", "source")
    table = [
        (i["name"], f"{i['risk']} ({i['risk_source']})", i["approval"], i["idempotency"], f"{i['path']}:{i['line']}")
        for i in items
    ]
    counts = {risk: sum(1 for i in items if i["risk"] == risk) for risk in ("read", "write", "destructive")}
    summary = f"{len(items)} tools: {counts['read']} read, {counts['write']} write, {counts['destructive']} destructive"
    if output_format == "markdown":
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(md_text(str(cell), table=True) for cell in row) + " |" for row in table]
        return "\n".join(lines) + f"\n\n{summary}\n"
    shown = [[visible(str(cell)) for cell in row] for row in table]
    widths = [max(len(h), *(len(r[c]) for r in shown)) if shown else len(h) for c, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in shown]
    return "\n".join(lines) + f"\n{summary}\n"
