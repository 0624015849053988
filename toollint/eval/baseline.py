"""The committed baseline (per-case pass counts, written only by `--update-baseline`) and the regression policy
that compares a run with it (evals.md §5.5)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from toollint import __version__
from toollint.eval.runner import CaseResult

BASELINE_VERSION = 1
DEFAULT_BASELINE = Path(".toollint") / "eval-baseline.json"

# statuses that fail the gate; the rest are reported only
GATING = frozenset({"regression", "critical", "new-failure", "rate-drop"})
MEANS = ("mean_tool_calls", "mean_input_tokens", "mean_output_tokens")


class BaselineError(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    spec_hash: str
    runs: int
    passes: int
    min_passes: int
    raw: dict[str, Any] = field(default_factory=dict, compare=False)  # the entry as stored, kept when re-blessing

    @property
    def passed(self) -> bool:
        threshold = self.min_passes if self.runs else 1
        return self.passes >= threshold


@dataclass(frozen=True)
class Baseline:
    path: Path
    target: dict[str, Any]
    cases: dict[str, Entry]  # by "suite/case-id"


def key(result: CaseResult) -> str:
    return f"{result.case.suite}/{result.case.id}"


def read_baseline(path: Path) -> Baseline | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"cannot read the baseline `{path}`: {exc}; rewrite it with `--update-baseline`") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(data.get("cases"), dict):
        raise BaselineError(
            f"`{path}` is not a version {BASELINE_VERSION} eval baseline; rewrite it with `--update-baseline`"
        )
    cases = {}
    for name, entry in data["cases"].items():
        if isinstance(entry, dict):
            cases[name] = Entry(
                str(entry.get("spec_hash", "")),
                int(entry.get("runs", 0)),
                int(entry.get("passes", 0)),
                int(entry.get("min_passes", 1)),
                dict(entry),
            )
    target: dict[str, Any] = data["target"] if isinstance(data.get("target"), dict) else {}
    return Baseline(path, target, cases)


def write_baseline(path: Path, results: list[CaseResult], target: dict[str, Any], old: Baseline | None) -> int:
    """Bless the current results. Cases that did not get a verdict (skipped, errors) keep their old entry."""
    cases: dict[str, Any] = {}
    if old is not None:
        cases.update({name: e.raw for name, e in old.cases.items()})
    written = 0
    for result in results:
        if result.verdict not in ("pass", "fail"):
            continue
        checks: dict[str, int] = {}
        for run in result.runs:
            for check in run.checks:
                checks[check.id] = checks.get(check.id, 0) + int(check.passed)
        cases[key(result)] = {
            "spec_hash": result.case.spec_hash,
            "runs": len(result.runs),
            "passes": result.passes,
            "min_passes": result.threshold,
            "checks": dict(sorted(checks.items())),
            **means(result),
        }
        written += 1
    data = {
        "version": BASELINE_VERSION,
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "toollint_version": __version__,
        "target": target,
        "cases": dict(sorted(cases.items())),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return written


@dataclass(frozen=True)
class Status:
    """How one case stands against the baseline: `label` is the verdict column, `gating` fails the run."""

    label: str
    baseline: str  # "k/n" or "-" or "changed"
    note: str = ""

    @property
    def gating(self) -> bool:
        return self.label in GATING


def fisher_one_sided(k1: int, n1: int, k2: int, n2: int) -> float:
    """P(current passes <= k2) under the hypothesis that both runs share one pass rate (hypergeometric tail)."""
    total, successes = n1 + n2, k1 + k2
    if n2 == 0 or total == 0:
        return 1.0

    def pmf(x: int) -> float:
        return math.comb(successes, x) * math.comb(total - successes, n2 - x) / math.comb(total, n2)

    return min(1.0, sum(pmf(x) for x in range(max(0, successes - n1), k2 + 1)))


def means(result: CaseResult) -> dict[str, float]:
    """Mean tool calls and tokens per valid run: what cost drift is measured on."""
    valid = [r for r in result.runs if r.error is None]
    count = max(len(valid), 1)
    return {
        "mean_tool_calls": round(sum(len(r.transcript.calls) for r in valid if r.transcript) / count, 2),
        "mean_input_tokens": round(
            sum(r.usage.input_tokens + r.usage.cache_read_tokens + r.usage.cache_write_tokens for r in valid) / count
        ),
        "mean_output_tokens": round(sum(r.usage.output_tokens for r in valid) / count),
    }


def drift(result: CaseResult, baseline: Baseline | None, limit: float) -> list[str]:
    """Warnings for a case whose mean tool calls or tokens grew by more than `limit` (0.5 = 50 %)."""
    entry = baseline.cases.get(key(result)) if baseline is not None else None
    if entry is None or result.verdict not in ("pass", "fail"):
        return []
    now = means(result)
    found = []
    for name in MEANS:
        before = entry.raw.get(name)
        if isinstance(before, (int, float)) and before > 0 and now[name] > before * (1 + limit):
            label = name.removeprefix("mean_").replace("_", " ")
            found.append(
                f"case `{result.case.id}`: {label} per run up {now[name] / before - 1:.0%} ({before:g} -> {now[name]:g})"
            )
    return found


def status(
    result: CaseResult, baseline: Baseline | None, allow_new_failures: bool = False, strict: bool = False
) -> Status:
    entry = baseline.cases.get(key(result)) if baseline is not None else None
    changed = entry is not None and entry.spec_hash != result.case.spec_hash
    shown = "-" if entry is None else "changed" if changed else f"{entry.passes}/{entry.runs}"
    verdict = result.verdict
    if verdict == "skipped":
        return Status("unchanged" if result.skipped == "unchanged" else "skipped", shown, result.skipped or "")
    if result.case.quarantine:
        return Status("quarantined", shown, "flaky: quarantine — reported, never gates")
    if verdict == "error":
        return Status("error", shown, result.first_error or "no valid runs")
    if verdict == "fail" and result.case.critical:
        return Status("critical", shown, "critical case failed its own threshold")
    if entry is None or changed:
        if verdict == "fail":
            if allow_new_failures:
                return Status("failing", shown, "new case failing (--allow-new-failures)")
            return Status("new-failure", shown, "new or changed case fails")
        return Status("new" if entry is None else "pass", shown)
    if verdict == "fail":
        if entry.passed:
            return Status(
                "regression", shown, "passed in the baseline" + (", confirmed by re-runs" if result.confirmed else "")
            )
        return Status("failing", shown, "fails as in the baseline")
    if not entry.passed:
        return Status("improved", shown, "failed in the baseline; bless with --update-baseline")
    runs = len(result.runs)
    if entry.runs and runs and result.passes / runs < entry.passes / entry.runs:
        p = fisher_one_sided(entry.passes, entry.runs, result.passes, runs)
        if strict and p < 0.10:
            return Status("rate-drop", shown, f"pass rate dropped (p={p:.2f} < 0.10, --strict)")
        return Status("pass", shown, f"pass rate dropped (p={p:.2f})")
    return Status("pass", shown)


def gating_candidates(results: list[CaseResult], baseline: Baseline | None, allow_new: bool) -> list[CaseResult]:
    """Failing cases whose failure would fail the gate: the ones worth confirmation runs."""
    return [r for r in results if r.verdict == "fail" and status(r, baseline, allow_new).gating]
