"""The wheel carries the rule catalog, and the installed command works from a fresh virtual environment."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (found,) = out.glob("toollint-*.whl")
    return found


def test_wheel_contains_the_rule_catalog(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for rules_file in (REPO / "rules").rglob("*.yaml"):
        assert f"toollint/_rules/{rules_file.relative_to(REPO / 'rules').as_posix()}" in names


def test_installed_wheel_checks_the_examples(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # the dependencies come from the test environment; the package itself only from the wheel
    venv.EnvBuilder(with_pip=True, system_site_packages=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    done = subprocess.run(
        [str(env_dir / "bin" / "toollint"), "check", str(REPO / "examples" / "support-agent")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "TS003" in done.stdout
    where = subprocess.run(
        [str(python), "-c", "import toollint, sys; print(toollint.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout
    assert str(env_dir) in where  # the wheel's copy, with its own _rules, not the source tree
