"""The hook in .pre-commit-hooks.yaml, run by the real pre-commit against a temporary git repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from toollint.loading.document import KIND_BY_SUFFIX

pytestmark = pytest.mark.slow

GOOD = "- name: get_weather\n  description: Current weather for a city.\n  input_schema:\n    type: object\n    properties:\n      city: {type: string, description: City name.}\n"
BAD = GOOD.replace("get_weather", "weather.get")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        },
    )


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed snapshot of the working tree, so the test sees uncommitted and untracked files too."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip("the toollint checkout is not a git repository")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git(snapshot, "init", "-q")
    git(snapshot, "add", ".")
    git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot


def try_repo(project: Path, home: Path, repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repo), "toollint", "--all-files", "--color", "never"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"},
    )


def test_hooks_file_declares_the_toollint_hook() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "toollint" and hook["entry"].startswith("toollint check")
    # pre-commit passes a file only when it matches `files` and every `types`/`types_or` filter
    assert "types_or" not in hook and set(hook.get("types", ["file"])) == {"file"}
    files = re.compile(hook["files"])
    for suffix in KIND_BY_SUFFIX:  # every kind of file toollint reads
        assert files.search(f"dir/name{suffix}") and files.search(f"NAME{suffix.upper()}"), suffix
    for other in ("setup.cfg", "image.png", "script.sh", "data.json.bak"):
        assert not files.search(other), other


def test_real_pre_commit_runs_the_hook(tmp_path: Path, pre_commit_home: Path, hook_repo: Path) -> None:
    project = tmp_path / "agent"
    (project / "tools").mkdir(parents=True)
    (project / "tools" / "weather.yaml").write_text(BAD)
    (project / "package.json").write_text('{"name": "web"}')  # staged files that are no tool must not fail the hook
    (project / "README.md").write_text("# Agent\n")
    git(project, "init", "-q")
    git(project, "add", ".")

    failing = try_repo(project, pre_commit_home, hook_repo)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "tools/weather.yaml" in failing.stdout and "TN001" in failing.stdout

    (project / "tools" / "weather.yaml").write_text(GOOD)
    git(project, "add", ".")
    passing = try_repo(project, pre_commit_home, hook_repo)
    assert passing.returncode == 0, passing.stdout + passing.stderr

    # the file kinds pre-commit's own type tags do not cover, or not as toollint reads them
    (project / "tools" / "more.jsonl").write_text(json.dumps(yaml.safe_load(BAD)[0]) + "\n")
    prompt = "You are a weather assistant. Use the `get_wether` tool to answer questions about the weather.\n"
    for name in ("agent.prompt", "agent.txt", "agent.j2", "agent.jinja"):
        (project / "tools" / name).write_text(prompt)
    git(project, "add", ".")
    failing = try_repo(project, pre_commit_home, hook_repo)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    for name in ("more.jsonl", "agent.prompt", "agent.txt", "agent.j2", "agent.jinja"):
        assert f"tools/{name}" in failing.stdout, (name, failing.stdout)


def test_committing_only_a_prompt_that_names_a_missing_tool_fails_the_hook(
    tmp_path: Path, pre_commit_home: Path, hook_repo: Path
) -> None:
    """Pre-commit names only the staged prompt; its toolset still comes from the project around it (DESIGN §1)."""
    project = tmp_path / "agent"
    (project / "tools").mkdir(parents=True)
    (project / "prompts").mkdir()
    (project / "tools" / "weather.yaml").write_text(GOOD)
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "tools")
    (project / "prompts" / "system.md").write_text("You are a travel assistant. Call the `weather_get` tool first.\n")
    git(project, "add", "prompts/system.md")

    staged_only = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "toollint", "--color", "never"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "NO_COLOR": "1"},
    )
    assert staged_only.returncode == 1, staged_only.stdout + staged_only.stderr
    assert "prompts/system.md" in staged_only.stdout and "TP001" in staged_only.stdout
    assert "did you mean `get_weather`?" in staged_only.stdout
