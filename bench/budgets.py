"""Measure toollint against the performance budgets of DESIGN §5, as ratios, in one run.

    python bench/budgets.py [--corpora ../shared/corpora] [--spectral PATH_TO_SPECTRAL_BIN] [--repeat 5]

Every figure is the best wall-clock time of `--repeat` runs of a fresh process after one warm-up run, so
interpreter start-up is counted for toollint and for the json.load floor alike, and bytecode is cached
as it is for an installed package. The commands take turns within each round, so a machine whose speed
drifts during the run affects every figure alike. Spectral runs the 8-rule ruleset in
../shared/bench/spectral-ruleset.yaml over the same JSON files; install it outside the repository with
`npm install @stoplight/spectral-cli` and pass its `node_modules/.bin/spectral`.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FLOOR = """
import json, os, sys
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if name.endswith('.json'):
            with open(os.path.join(folder, name), encoding='utf-8') as f:
                json.load(f)
"""


# Installed packages run from cached bytecode; a sandbox that forbids writing it would make every run
# recompile toollint from source, which is not what users see. The first (warm-up) run writes the cache.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(command: list[str], ok_codes: tuple[int, ...]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok_codes:
        sys.exit(f"{' '.join(command[:3])} ... failed with exit {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def best_of(commands: dict[str, tuple[list[str], tuple[int, ...]]], repeat: int) -> dict[str, float]:
    """Best wall time of each command over `repeat` rounds after a warm-up round.

    The commands take turns within each round, so that a machine whose speed drifts during the run (a shared
    virtual machine does) slows all of them alike and the ratios stay fair."""
    for command, ok_codes in commands.values():
        run_once(command, ok_codes)
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(repeat):
        for name, (command, ok_codes) in commands.items():
            best[name] = min(best[name], run_once(command, ok_codes))
    return best


def toollint_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "toollint", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", default=str(REPO.parent / "shared" / "corpora"))
    parser.add_argument("--spectral", default=shutil.which("spectral") or "")
    parser.add_argument("--ruleset", default=str(REPO.parent / "shared" / "bench" / "spectral-ruleset.yaml"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    corpora = Path(args.corpora)
    if not corpora.is_dir():
        sys.exit(f"corpora folder {corpora} not found; pass --corpora")

    files = sorted(glob.glob(str(corpora / "**" / "*.json"), recursive=True))
    # A pre-commit run checks the few files a commit touches: five one-tool files (the github-mcp-server
    # layout), not five of the BFCL files, which hold hundreds of tools each.
    single = sorted(glob.glob(str(corpora / "github-mcp-server" / "*.json")))
    sample = single[:5] if len(single) >= 5 else files[:5]
    with tempfile.TemporaryDirectory() as scratch:
        # `toollint diff` of the corpora against a copy with 5 % of the tools mutated (issue budget: under 2 s)
        sys.path.insert(0, str(Path(__file__).parent))
        from mutate_corpora import mutate

        mutated = Path(scratch) / "mutated"
        changes = len(mutate(corpora, mutated, round(3699 * 0.05)))
        commands = {
            "floor": ([sys.executable, "-c", FLOOR, str(corpora)], (0,)),
            "check": (toollint_command("check", str(corpora)), (0, 1)),
            # the fixed cost of a run with no rule of substance: start-up, loading, finding the tools, reporting
            "engine": (toollint_command("check", "--select", "TL001", str(corpora)), (0, 1)),
            "version": (toollint_command("--version"), (0,)),
            "precommit": (toollint_command("check", "--skip-unrecognized", *sample), (0, 1)),
            "diff": (toollint_command("diff", str(corpora), str(mutated), "--output-format", "json"), (0, 1)),
        }
        if args.spectral and Path(args.spectral).exists():
            output = os.path.join(scratch, "o.json")
            spectral_command = [args.spectral, "lint", "--ruleset", args.ruleset, "--format", "json"]
            commands["spectral"] = ([*spectral_command, "--output", output, "--quiet", *files], (0, 1))
        best = best_of(commands, args.repeat)

    floor, check, engine, version, precommit, diff = (
        best[k] for k in ("floor", "check", "engine", "version", "precommit", "diff")
    )
    spectral = best.get("spectral")
    rows = [
        ("json.load floor (python start + load every .json)", floor),
        ("toollint check corpora (recommended, text output)", check),
        ("toollint check corpora, engine only (--select TL001)", engine),
        ("toollint --version", version),
        (f"toollint check on {len(sample)} files (pre-commit)", precommit),
        (f"toollint diff corpora vs {changes} mutated tools", diff),
    ]
    if spectral is not None:
        rows.append(("spectral lint (8-rule ruleset, same files)", spectral))

    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:7.3f} s")
    print()
    print(f"toollint / json.load floor: {check / floor:5.2f}x   (budget <= 4x)")
    print(f"engine only / floor:        {engine / floor:5.2f}x   (what is left of the 4x for the rules)")
    if spectral:
        print(f"spectral / toollint:        {spectral / check:5.2f}x   (budget >= 5x)")
    else:
        print("spectral: not measured (pass --spectral node_modules/.bin/spectral)")
    print(f"toollint --version:         {version:5.3f} s  (budget < 0.15 s)")
    print(f"pre-commit run:             {precommit:5.3f} s  (budget < 0.3 s)")
    print(f"diff with 5% mutated:       {diff:5.3f} s  (budget < 2 s)")


if __name__ == "__main__":
    main()
