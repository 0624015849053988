"""`toollint init`: the config it writes makes `check` find the toolsets it found without one."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import yaml

from conftest import REPO, run_cli
from toollint import __version__
from toollint.engine.config import Overrides, load_settings
from toollint.engine.run import load_paths, toolsets


def _seen(root: Path) -> tuple[set[frozenset[str]], dict[str, frozenset[str]]]:
    """The toolsets (tool names) a check of `root` builds, and the tools each prompt is checked against."""
    settings = load_settings(Overrides(), root)
    agents = toolsets(load_paths([root], settings), settings)
    sets = {frozenset(t.name for t in a.tools) for a in agents if a.toolset and a.tools}
    prompts = {
        Path(p.path).resolve().relative_to(root).as_posix(): frozenset(t.name for t in a.tools)
        for a in agents
        for p in a.prompts
    }
    return sets, prompts


def _findings(root: Path) -> list[tuple[str, str, int, str]]:
    run = run_cli("check", "--output-format", "json", ".", cwd=root)
    assert run.returncode in (0, 1), run.stderr
    return sorted((d["code"], d["path"], d["line"], d["message"]) for d in json.loads(run.stdout))


def test_init_on_the_support_agent_keeps_its_toolsets_and_findings(tmp_path: Path) -> None:
    root = tmp_path / "support-agent"
    shutil.copytree(REPO / "examples" / "support-agent", root)
    before, before_findings = _seen(root), _findings(root)
    assert before[0]  # there is something to keep

    run = run_cli("init", cwd=root)

    assert run.returncode == 0, run.stderr
    assert "wrote .toollint.yaml" in run.stdout and "agent `support` (4 tools, 1 prompt)" in run.stdout
    config = yaml.safe_load((root / ".toollint.yaml").read_text(encoding="utf-8"))
    assert config["agents"] == {"support": {"tools": ["tools/**"], "prompts": ["prompts/**"]}}
    assert _seen(root) == before
    assert _findings(root) == before_findings
    hook = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert hook["repos"][0]["rev"] == f"v{__version__}" and hook["repos"][0]["hooks"] == [{"id": "toollint"}]
    workflow = yaml.safe_load((root / ".github" / "workflows" / "toollint.yml").read_text(encoding="utf-8"))
    assert workflow["jobs"]["toollint"]["steps"][1]["uses"] == f"toollint/toollint@v{__version__}"


def test_a_second_init_refuses_and_writes_nothing(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples" / "support-agent", tmp_path, dirs_exist_ok=True)
    assert run_cli("init", cwd=tmp_path).returncode == 0
    (tmp_path / ".pre-commit-config.yaml").unlink()
    (tmp_path / ".toollint.yaml").write_text("extends: [strict]\n", encoding="utf-8")

    run = run_cli("init", cwd=tmp_path)

    assert run.returncode == 2
    assert "`.toollint.yaml`" in run.stderr and "`.github/workflows/toollint.yml`" in run.stderr
    assert "--force" in run.stderr and "Traceback" not in run.stderr
    assert (tmp_path / ".toollint.yaml").read_text(encoding="utf-8") == "extends: [strict]\n"
    assert not (tmp_path / ".pre-commit-config.yaml").exists()  # nothing at all was written

    forced = run_cli("init", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "agents:" in (tmp_path / ".toollint.yaml").read_text(encoding="utf-8")


def test_an_existing_pre_commit_config_is_kept_and_the_hook_printed(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples" / "support-agent", tmp_path, dirs_exist_ok=True)
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")

    run = run_cli("init", str(tmp_path))

    assert run.returncode == 0, run.stderr
    assert (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8") == "repos: []\n"
    assert "add this hook" in run.stdout and f"rev: v{__version__}" in run.stdout
    assert (tmp_path / ".toollint.yaml").is_file()


def _tool(name: str) -> dict[str, object]:
    return {"name": name, "description": f"Return the {name} record.", "input_schema": {"type": "object"}}


def _billing(root: Path) -> None:
    (root / "billing" / "refunds").mkdir(parents=True)
    (root / "billing" / "tools.json").write_text(json.dumps([_tool("get_invoice")]), encoding="utf-8")
    (root / "billing" / "refunds" / "tools.json").write_text(json.dumps([_tool("refund")]), encoding="utf-8")
    (root / "billing" / "refunds" / "agent.md").write_text("You are the refunds agent. Use `refund`.\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)


def test_a_folder_with_another_toolset_below_it_is_named_by_file(tmp_path: Path) -> None:
    """`billing/` holds its own tools and, below it, the toolset of `billing/refunds/`: the first is listed
    by file, the second by folder."""
    _billing(tmp_path)
    before, before_findings = _seen(tmp_path), _findings(tmp_path)

    run = run_cli("init", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    agents = yaml.safe_load((tmp_path / ".toollint.yaml").read_text(encoding="utf-8"))["agents"]
    assert agents == {
        "billing": {"tools": ["billing/tools.json"], "prompts": []},
        "billing-refunds": {"tools": ["billing/refunds/**"], "prompts": ["billing/refunds/agent.md"]},
    }
    assert _seen(tmp_path) == before and len(before[0]) == 2
    assert _findings(tmp_path) == before_findings


def test_a_prompt_above_two_toolsets_joins_them_into_one_agent(tmp_path: Path) -> None:
    """A config agent has one toolset; a prompt that sees two keeps seeing both, as one agent."""
    _billing(tmp_path)
    (tmp_path / "billing" / "agent.md").write_text("You are the billing agent. Use `get_invoice`.\n")
    prompts_before = _seen(tmp_path)[1]

    run = run_cli("init", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    agents = yaml.safe_load((tmp_path / ".toollint.yaml").read_text(encoding="utf-8"))["agents"]
    assert agents == {"billing": {"tools": ["billing/**"], "prompts": ["billing/agent.md", "billing/refunds/agent.md"]}}
    assert prompts_before["billing/agent.md"] == {"get_invoice", "refund"}
    assert _seen(tmp_path)[1]["billing/agent.md"] == prompts_before["billing/agent.md"]


def test_a_project_without_tools_gets_a_config_without_agents(tmp_path: Path) -> None:
    run = run_cli("init", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "no tool definitions or prompts found" in run.stdout
    config = yaml.safe_load((tmp_path / ".toollint.yaml").read_text(encoding="utf-8"))
    assert config == {"extends": ["recommended"]}
    assert run_cli("check", ".", cwd=tmp_path).returncode == 0


def test_a_toollint_table_in_pyproject_is_an_existing_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.toollint]\nfail-on = "warning"\n', encoding="utf-8")
    run = run_cli("init", cwd=tmp_path)
    assert run.returncode == 2 and "`pyproject.toml`" in run.stderr
    assert not (tmp_path / ".toollint.yaml").exists()
