"""Recorded transcripts: `--record DIR` writes what the model answered in each run, `--replay DIR` reads it back.

Only model output is written (text, calls, stop reasons, token counts): no request, header or key."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from toollint.eval.runner import CaseResult

RECORD_VERSION = 1


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def write_recordings(folder: Path, results: list[CaseResult], provider: str, model: str) -> int:
    written = 0
    for result in results:
        runs = [{"index": r.index, "turns": r.turns} for r in result.runs if r.error is None and r.turns]
        if not runs:
            continue
        path = folder / _safe(result.case.suite) / f"{_safe(result.case.id)}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": RECORD_VERSION,
            "suite": result.case.suite,
            "case": result.case.id,
            "provider": provider,
            "model": model,
            "runs": runs,
        }
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written += 1
    return written


def read_recordings(folder: Path) -> dict[tuple[str, str], list[list[dict[str, Any]]]]:
    from toollint.eval.providers import ProviderError

    if not folder.is_dir():
        raise ProviderError(f"`{folder}` is not a folder of recorded transcripts (write one with `--record`)", True)
    found: dict[tuple[str, str], list[list[dict[str, Any]]]] = {}
    for path in sorted(folder.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ProviderError(f"{path}: not a recorded transcript: {exc}", True) from None
        if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
            raise ProviderError(f"{path}: not a recorded transcript (no `runs` list)", True)
        runs = sorted((r for r in data["runs"] if isinstance(r, dict)), key=lambda r: r.get("index", 0))
        found[(str(data.get("suite")), str(data.get("case")))] = [list(r.get("turns", [])) for r in runs]
    return found
