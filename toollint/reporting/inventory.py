"""`toollint inventory`: every tool with its risk class, approval gate, idempotency and source — the table a team reviews."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def toolset_rows(
    toolsets: Sequence[tuple[str, Sequence[Tool]]], exact: Callable[[Sequence[Tool]], int] | None = None
) -> list[dict[str, Any]]:
    """Each toolset with its tool count and the tokens its definitions add to every request, per provider."""
    from toollint.catalog.tokens import estimates

    out = []
    for name, tools in toolsets:
        row: dict[str, Any] = {"toolset": name, "tools": len(tools), "tokens": estimates(tools)}
        if exact is not None:
            row["exact_tokens"] = {"anthropic": exact(tools)}
        out.append(row)
    return out


def render(items: list[dict[str, Any]], output_format: str, toolsets: list[dict[str, Any]] | None = None) -> str:
    if output_format == "json":
        if toolsets is None:
            return to_json(items, indent=2) + "\n"
        return to_json({"tools": items, "toolsets": toolsets}, indent=2) + "\n"
    return _render_tools(items, output_format) + (_render_toolsets(toolsets, output_format) if toolsets else "")


def _render_toolsets(toolsets: list[dict[str, Any]], output_format: str) -> str:
    from toollint.catalog.tokens import PROVIDERS

    exact = any("exact_tokens" in t for t in toolsets)
    headers = ("toolset", "tools", *(f"{p} tokens" for p in PROVIDERS), *(("anthropic exact",) if exact else ()))
    table = [
        (
            t["toolset"],
            str(t["tools"]),
            *(f"~{t['tokens'][p]}" for p in PROVIDERS),
            *((str(t["exact_tokens"]["anthropic"]),) if exact else ()),
        )
        for t in toolsets
    ]
    note = (
        "tokens: what the tool definitions add to every request, estimated from the JSON each provider receives "
        "(~4 characters a token)" + ("; exact: Anthropic's count with the tools minus without" if exact else "")
    )
    return "\n" + _table(headers, table, output_format) + f"\n{note}\n"


def _table(headers: Sequence[str], table: Sequence[Sequence[Any]], output_format: str) -> str:
    """Rows of text from checked files, escaped: markdown cells cannot break the table, text cells carry no control
    characters."""
    if output_format == "markdown":
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(md_text(str(cell), table=True) for cell in row) + " |" for row in table]
        return "\n".join(lines) + "\n"
    shown = [[visible(str(cell)) for cell in row] for row in table]
    widths = [max(len(h), *(len(r[c]) for r in shown)) if shown else len(h) for c, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in shown]
    return "\n".join(lines)


def _render_tools(items: list[dict[str, Any]], output_format: str) -> str:
    headers = ("tool", "risk", "approval", "idempotency", "source")
    table = [
        (i["name"], f"{i['risk']} ({i['risk_source']})", i["approval"], i["idempotency"], f"{i['path']}:{i['line']}")
        for i in items
    ]
    counts = {risk: sum(1 for i in items if i["risk"] == risk) for risk in ("read", "write", "destructive")}
    summary = f"{len(items)} tools: {counts['read']} read, {counts['write']} write, {counts['destructive']} destructive"
    return _table(headers, table, output_format) + f"\n{summary}\n"


def render_token_growth(growth: dict[str, tuple[int, int]], output_format: str) -> str:
    """`diff`'s line (text) or section (markdown) on what the tool definitions cost per request, before → after."""

    def change(provider: str) -> str:
        old, new = growth[provider]
        return f"~{old} → ~{new} ({new - old:+d})"

    if output_format == "markdown":
        lines = ["## Token cost", "", "| provider | tokens before | tokens after | change |", "|---|---|---|---|"]
        lines += [f"| {p} | ~{o} | ~{n} | {n - o:+d} |" for p, (o, n) in growth.items()]
        return (
            "\n".join(lines)
            + "\n\nWhat the tool definitions add to every request, estimated (~4 characters a token).\n"
        )
    return "Tool definitions per request: " + ", ".join(f"{p} {change(p)}" for p in growth) + " tokens (estimated)\n"
