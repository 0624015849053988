"""The README's tour shows what `toollint check examples/support-agent` prints: every line it quotes appears in the
real output, in the same order, and the summary line is the real one."""

from __future__ import annotations

import re

from conftest import REPO, run_cli


def test_readme_tour_matches_the_command_output() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n\$ toollint check examples/support-agent\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    done = run_cli("check", "examples/support-agent", env={"COLUMNS": "120"})
    printed = done.stdout.splitlines()
    at = 0
    for line in block.group(1).splitlines():
        if line in ("...", ""):
            continue
        assert line in printed[at:], line
        at = printed.index(line, at) + 1
    assert block.group(1).rstrip().splitlines()[-1] == printed[-1]
