"""Paths in output: absolute stay absolute, relative stay relative; SARIF URIs are relative to the repository
root with `%SRCROOT%`, so code scanning attaches alerts to the files of the checkout."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, SHARED, run_cli

BAD = [{"name": "get.order", "description": "Return the order.", "input_schema": {"type": "object"}}]


def _project(root: Path) -> Path:
    (root / "agent" / "tools").mkdir(parents=True)
    (root / "agent" / "tools" / "orders.json").write_text(json.dumps(BAD), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root / "agent" / "tools" / "orders.json"


def test_an_absolute_path_stays_absolute_in_every_output(tmp_path: Path) -> None:
    tools = _project(tmp_path)
    absolute = tools.parent.resolve()

    text = run_cli("check", str(absolute), cwd=REPO).stdout
    data = json.loads(run_cli("check", str(absolute), "--output-format", "json", cwd=REPO).stdout)

    assert f"{absolute.as_posix()}/orders.json" in text and "../" not in text
    assert {d["path"] for d in data} == {f"{absolute.as_posix()}/orders.json"}


def test_a_relative_path_stays_relative(tmp_path: Path) -> None:
    _project(tmp_path)
    data = json.loads(run_cli("check", "agent", "--output-format", "json", cwd=tmp_path).stdout)
    assert {d["path"] for d in data} == {"agent/tools/orders.json"}
    deeper = json.loads(
        run_cli("check", "../tools", "--output-format", "json", cwd=tmp_path / "agent" / "tools").stdout
    )
    assert {d["path"] for d in deeper} == {"orders.json"}  # relative to the current folder


@pytest.mark.parametrize("where", ["root", "subfolder", "absolute"])
def test_sarif_uris_are_relative_to_the_repository_root(tmp_path: Path, where: str) -> None:
    _project(tmp_path)
    cwd = {"root": tmp_path, "subfolder": tmp_path / "agent", "absolute": REPO}[where]
    path = {"root": "agent", "subfolder": "tools", "absolute": str(tmp_path / "agent")}[where]

    log = json.loads(run_cli("check", path, "--output-format", "sarif", cwd=cwd).stdout)

    run = log["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}
    locations = {json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"]) for r in run["results"]}
    assert locations == {json.dumps({"uri": "agent/tools/orders.json", "uriBaseId": "%SRCROOT%"})}
    schema = SHARED / "schemas" / "sarif-schema-2.1.0.json"
    if schema.is_file():
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.validate(log, json.loads(schema.read_text()))


def test_sarif_without_git_is_relative_to_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "orders.json").write_text(json.dumps(BAD), encoding="utf-8")
    (tmp_path / ".toollint.yaml").write_text("fail-on: error\n", encoding="utf-8")
    log = json.loads(run_cli("check", "orders.json", "--output-format", "sarif", cwd=tmp_path / "tools").stdout)
    (result, *_) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "tools/orders.json"
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
