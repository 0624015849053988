"""Scale check of DESIGN §5: time and peak memory of checking about 100,000 tools, serially and in parallel.

    python bench/scale.py [--corpora ../shared/corpora] [--copies 30] [--select TL,TS001,...]

The corpora's JSON files are copied `--copies` times into a scratch folder (3,699 tools each time), and
`toollint check` runs on the copy with `--jobs 1` and then with one job per core. Peak memory is the largest
resident set of toollint or any of its workers.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORE_RULES = "TL,TS001,TS002,TS003,TS004,TD001,TD004,TN001,TN004"


def measure(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident megabytes and exit code of one fresh process and its descendants."""
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"failed with exit {done.returncode}: {done.stderr.decode()[-500:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kb / 1024, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", default=str(REPO.parent / "shared" / "corpora"))
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--select", default=CORE_RULES, help="rules to run (default: the core rules)")
    args = parser.parse_args()
    corpora = Path(args.corpora)
    files = sorted(corpora.rglob("*.json"))
    if not files:
        sys.exit(f"no JSON files under {corpora}; pass --corpora")
    with tempfile.TemporaryDirectory() as scratch:
        for copy in range(args.copies):
            folder = Path(scratch) / f"copy{copy:03d}"
            folder.mkdir()
            for index, path in enumerate(files):
                shutil.copyfile(path, folder / f"{index:03d}-{path.name}")
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        # each measurement in its own process, so that the peak memory of one does not hide the other's
        for jobs in (1, cores):
            probe = [sys.executable, "-c", _PROBE, scratch, args.select, str(jobs)]
            out = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()
            print(f"{args.copies * 3699:,} tools in {len(files) * args.copies} files, --jobs {jobs}: {out}")


_PROBE = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from scale import measure
seconds, megabytes, _ = measure([sys.executable, "-m", "toollint", "check", sys.argv[1], "--select", sys.argv[2],
                                 "--jobs", sys.argv[3], "--statistics"])
print(f"{{seconds:.1f}} s, {{megabytes:.0f}} MB peak")
"""


if __name__ == "__main__":
    main()
