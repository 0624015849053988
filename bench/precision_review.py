"""A repeatable precision review of toollint on real agent projects (DESIGN: precision first).

    python bench/precision_review.py sample [--projects ../shared/projects] [--per-rule 12] [--seed 1] [--out SHEET]
    python bench/precision_review.py summary SHEET [SHEET ...]

`sample` runs `toollint check` on every project folder with default settings, as a new user would, keeps the
error and warning findings, and writes a review sheet (TSV): per rule, up to `--per-rule` findings drawn at
random but spread over the projects, each with its location, message and the source line it points at, and
two empty columns for the reviewer: `verdict` (correct, debatable or false) and `reason` (one line).

`summary` reads filled sheets and prints the table the closing notes quote: per rule the number of findings
on the projects, how many were sampled and how the sampled ones were judged, then the false-positive share
overall and per rule. A sheet records the counts of every rule that fired, sampled or not, in its header
lines (`# findings RULE N`), so the summary needs no second run.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
COLUMNS = ("rule", "severity", "project", "location", "message", "source", "verdict", "reason")
VERDICTS = ("correct", "debatable", "false")


def _findings(project: Path) -> list[dict[str, object]]:
    run = subprocess.run(
        [sys.executable, "-m", "toollint", "check", project.name, "--output-format", "json", "--exit-zero"],
        cwd=project.parent,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        check=False,
    )
    if run.returncode != 0 or "Traceback" in run.stderr:
        sys.exit(f"toollint failed on {project}: exit {run.returncode}\n{run.stderr[-2000:]}")
    return [f for f in json.loads(run.stdout) if f["severity"] in ("error", "warning")]


def _source_line(root: Path, finding: dict[str, object]) -> str:
    path = root / str(finding["path"])
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return lines[int(finding["line"]) - 1].strip()[:200]  # type: ignore[call-overload]
    except (OSError, IndexError, ValueError):
        return ""


def _spread(items: list[dict[str, object]], count: int, rng: random.Random) -> list[dict[str, object]]:
    """`count` items drawn round-robin over projects, so one large project cannot fill a rule's sample."""
    by_project: dict[str, list[dict[str, object]]] = defaultdict(list)
    for item in items:
        by_project[str(item["path"]).split("/", 1)[0]].append(item)
    for group in by_project.values():
        rng.shuffle(group)
    picked: list[dict[str, object]] = []
    while len(picked) < count and any(by_project.values()):
        for project in sorted(by_project):
            if by_project[project] and len(picked) < count:
                picked.append(by_project[project].pop())
    return picked


def sample(projects: Path, per_rule: int, seed: int, out: Path) -> None:
    rng = random.Random(seed)
    by_rule: dict[str, list[dict[str, object]]] = defaultdict(list)
    for project in sorted(p for p in projects.iterdir() if p.is_dir()):
        for finding in _findings(project):
            by_rule[str(finding["code"])].append(finding)
    with out.open("w", encoding="utf-8", newline="") as handle:
        for rule in sorted(by_rule):
            handle.write(f"# findings {rule} {len(by_rule[rule])}\n")
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for rule in sorted(by_rule):
            for finding in _spread(by_rule[rule], per_rule, rng):
                location = f"{finding['path']}:{finding['line']}:{finding['column']}"
                project = str(finding["path"]).split("/", 1)[0]
                message = " ".join(str(finding["message"]).split())
                row = (rule, finding["severity"], project, location, message, _source_line(projects, finding), "", "")
                writer.writerow(row)
    total = sum(len(v) for v in by_rule.values())
    print(f"{total} error and warning findings over {len(by_rule)} rules; sheet written to {out}")


def _read(sheet: Path) -> tuple[Counter[str], list[dict[str, str]]]:
    findings: Counter[str] = Counter()
    lines = sheet.read_text(encoding="utf-8").splitlines()
    body = []
    for line in lines:
        if line.startswith("# findings "):
            _, _, rule, count = line.split()
            findings[rule] += int(count)
        elif not line.startswith("#"):
            body.append(line)
    rows = list(csv.DictReader(body, delimiter="\t"))
    for row in rows:
        if row["verdict"] not in VERDICTS:
            sys.exit(
                f"{sheet}: {row['location']}: verdict must be one of {', '.join(VERDICTS)}, not {row['verdict']!r}"
            )
    return findings, rows


def summary(sheets: list[Path]) -> None:
    findings: Counter[str] = Counter()
    verdicts: dict[str, Counter[str]] = defaultdict(Counter)
    for sheet in sheets:
        counts, rows = _read(sheet)
        findings.update(counts)
        for row in rows:
            verdicts[row["rule"]][row["verdict"]] += 1
    print("| rule | findings | sampled | correct | debatable | false | false % |")
    print("|---|---|---|---|---|---|---|")
    total: Counter[str] = Counter()
    for rule in sorted(findings):
        judged = verdicts[rule]
        sampled = sum(judged.values())
        total.update(judged)
        share = f"{100 * judged['false'] / sampled:.0f} %" if sampled else "—"
        row = (rule, findings[rule], sampled, judged["correct"], judged["debatable"], judged["false"], share)
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    sampled = sum(total.values())
    share = f"{100 * total['false'] / sampled:.1f} %" if sampled else "—"
    print(
        f"| **all** | {sum(findings.values())} | {sampled} | {total['correct']} | {total['debatable']} "
        f"| {total['false']} | {share} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("sample", help="run toollint on every project and write a review sheet")
    make.add_argument("--projects", type=Path, default=REPO.parent / "shared" / "projects")
    make.add_argument("--per-rule", type=int, default=12)
    make.add_argument("--seed", type=int, default=1)
    make.add_argument("--out", type=Path, default=Path("review.tsv"))
    read = commands.add_parser("summary", help="the per-rule table of filled review sheets")
    read.add_argument("sheets", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "sample":
        sample(args.projects.resolve(), args.per_rule, args.seed, args.out)
    else:
        summary(args.sheets)


if __name__ == "__main__":
    main()
