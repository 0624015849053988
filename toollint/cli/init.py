"""`toollint init`: inspect a project and write a starter config, the pre-commit hook and a CI workflow.

The config's `agents:` are the toolsets a check without config would infer (DESIGN §1), written down so that a
team can review and edit them: each toolset becomes an agent with tool and prompt globs relative to the project.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from toollint import __version__
from toollint.catalog.model import Agent
from toollint.engine.config import Overrides, find_config, load_settings
from toollint.engine.run import Loaded, load_paths, toolsets
from toollint.loading.discover import matches

CONFIG = ".toollint.yaml"
PRE_COMMIT = ".pre-commit-config.yaml"
WORKFLOW = ".github/workflows/toollint.yml"
# config files toollint reads; any of them in the project means a config exists already
_OTHER_CONFIGS = ("toollint.yaml",)


class InitError(Exception):
    """Something `init` refuses to do; the message says what and how to go on."""


class Planned(NamedTuple):
    """A file `init` writes (relative to the project), its text, and what it says about it."""

    path: str
    text: str
    note: str


class AgentPlan(NamedTuple):
    name: str
    tools: tuple[str, ...]  # globs relative to the project root
    prompts: tuple[str, ...]
    tool_count: int
    prompt_count: int


class Plan(NamedTuple):
    files: list[Planned]
    agents: list[AgentPlan]
    pre_commit_snippet: str | None  # printed, not written, when the project has a pre-commit config already


def plan(root: Path, force: bool = False) -> Plan:
    """What `init` writes in `root`. Raises InitError naming every file it would overwrite without `force`."""
    existing = [name for name in (CONFIG, *_OTHER_CONFIGS, WORKFLOW) if (root / name).exists()]
    if find_config(root) == (Path(os.path.realpath(root)) / "pyproject.toml"):  # `[tool.toollint]` is a config too
        existing.insert(0, "pyproject.toml")
    if existing and not force:
        shown = ", ".join(f"`{name}`" for name in existing)
        raise InitError(
            f"{shown} already exist{'s' if len(existing) == 1 else ''} in `{root}`; nothing was "
            "written (use `--force` to overwrite)"
        )
    agents = inspect(root)
    files = [Planned(CONFIG, config_text(agents), _agents_note(agents)), Planned(WORKFLOW, workflow_text(), "")]
    snippet = pre_commit_text()
    if (root / PRE_COMMIT).exists():
        return Plan(files, agents, snippet)
    files.insert(1, Planned(PRE_COMMIT, snippet, ""))
    return Plan(files, agents, None)


def write(root: Path, planned: Sequence[Planned]) -> None:
    for item in planned:
        target = root / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.text, encoding="utf-8")


def inspect(root: Path) -> list[AgentPlan]:
    """The toolsets and prompts a check of `root` without config would find, as agents with globs."""
    real_root = Path(os.path.realpath(root))
    settings = load_settings(Overrides(), root)
    # the project is `root`: a config further up must not shape what is written here
    settings = dataclasses.replace(settings, root=real_root, agents=(), config_path=None)
    loaded = load_paths([root], settings)
    return _plans(toolsets(loaded, settings), loaded, real_root)


def _relative(path: str, root: Path) -> str:
    real = Path(os.path.realpath(path))
    return real.relative_to(root).as_posix() if real.is_relative_to(root) else real.as_posix()


def _groups(agents: Sequence[Agent]) -> list[tuple[list[Agent], list[Agent]]]:
    """Toolsets joined with the prompt-only agents that see them: (toolsets, agents whose prompts go with them).

    A config agent has one toolset and selects tools by file, so toolsets are joined when a prompt sees several
    of them (it sits above them all) or when they share a file (two servers in one module)."""
    groups: list[tuple[list[Agent], list[Agent]]] = []
    for agent in agents:
        toolset = agent.toolset and bool(agent.tools)
        ids = {id(t) for t in agent.tools}
        files = {t.path for t in agent.tools}
        touched = [
            g for g in groups if any((id(t) in ids if not toolset else t.path in files) for s in g[0] for t in s.tools)
        ]
        merged = ([s for g in touched for s in g[0]] + ([agent] if toolset else []), [a for g in touched for a in g[1]])
        merged[1].append(agent)
        groups = [g for g in groups if all(g is not t for t in touched)] + [merged]
    return groups


def _plans(agents: Sequence[Agent], loaded: Loaded, root: Path) -> list[AgentPlan]:
    groups = _groups(agents)
    tool_files = [{_relative(t.path, root) for s in sets for t in s.tools} for sets, _ in groups]
    prompt_files = [{_relative(p.path, root) for a in members for p in a.prompts} for _, members in groups]
    every_file = [_relative(d.path if d else e[0].path, root) for d, e in loaded if d is not None or e]
    plans: list[AgentPlan] = []
    names: set[str] = set()
    for index, (sets, members) in enumerate(groups):
        others: set[str] = set().union(*(f for i, f in enumerate(tool_files) if i != index))
        tool_globs = _globs(tool_files[index], lambda folder: not any(_under(f, folder) for f in others))  # noqa: B023
        mine = prompt_files[index]
        prompt_globs = _globs(mine, lambda folder: all(f in mine for f in every_file if _under(f, folder)))  # noqa: B023
        name = _unique(_name(sets, members, root), names)
        tools = len({id(t) for s in sets for t in s.tools})
        prompts = len({(p.path, p.pointer) for a in members for p in a.prompts})
        plans.append(AgentPlan(name, tool_globs, prompt_globs, tools, prompts))
    return [p for p in plans if p.tools or p.prompts]


def _under(path: str, folder: str) -> bool:
    return path.startswith(folder + "/")


def _globs(files: set[str], folder_is_theirs: Callable[[str], bool]) -> tuple[str, ...]:
    """`folder/**` for a folder (not the root) that is wholly these files', else each file's path."""
    globs: list[str] = []
    for path in sorted(files, key=lambda p: (p.count("/"), p)):  # shallow first: a folder glob covers the rest
        if any(matches(path, glob) for glob in globs):
            continue
        folder = path.rpartition("/")[0]
        globs.append(f"{folder}/**" if folder and folder_is_theirs(folder) else path)
    return tuple(globs)


def _name(sets: Sequence[Agent], members: Sequence[Agent], root: Path) -> str:
    """The agent's name: the folder of the prompts seeing the tools when there are such, else of the toolset; a
    Python server's toolset is named after its module (and the server object when the module has several).
    A name the prompts give in front matter (`agent: support`) wins: the config must know it."""
    named = {p.agent for a in members for p in a.prompts if p.agent}
    if len(named) == 1:
        return named.pop()
    chosen = next((a for a in members if not (a.toolset and a.tools)), None) or sets[0]
    server = _PYTHON_UNIT.match(chosen.name)
    if server:
        module = server.group("path")
        base = Path(module).stem
        if base in _GENERIC_MODULES:  # `server.py` says less than the package it is in
            base = Path(module).parent.name or base
        if sum(1 for a in sets if a.name.startswith(module + ":")) > 1:
            base += "-" + server.group("server")
    elif chosen.name == "no tools":
        base = "no-tools"
    else:
        relative = _relative(chosen.name, root)
        base = root.name if relative in (".", "") else relative
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", base.replace("/", "-")).strip("-.") or "agent"


_GENERIC_MODULES = frozenset({"server", "main", "app", "__init__", "__main__", "tools", "mcp"})
_PYTHON_UNIT = re.compile(r"^(?P<path>.*\.pyi?):(?P<server>\w+)$")


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _agents_note(agents: Sequence[AgentPlan]) -> str:
    if not agents:
        return "no tool definitions or prompts found; add `agents:` when there are some"
    lines = []
    for agent in agents:
        counts = f"{agent.tool_count} tool{'' if agent.tool_count == 1 else 's'}, {agent.prompt_count} prompt"
        lines.append(
            f"agent `{agent.name}` ({counts}{'' if agent.prompt_count == 1 else 's'}): "
            f"tools {', '.join(agent.tools) or 'none'}; prompts {', '.join(agent.prompts) or 'none'}"
        )
    return "\n".join(lines)


def _flow(values: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"  # JSON strings are YAML flow scalars


def config_text(agents: Sequence[AgentPlan]) -> str:
    lines = [
        f"# {CONFIG}, written by `toollint init` (toollint {__version__}); see the README's Configuration section",
        "extends: [recommended]",
    ]
    if agents:
        lines.append("agents:  # each prompt is checked against its agent's tools; globs are relative to this file")
        for agent in agents:
            lines += [f"  {agent.name}:", f"    tools: {_flow(agent.tools)}", f"    prompts: {_flow(agent.prompts)}"]
    return "\n".join(lines) + "\n"


def pre_commit_text() -> str:
    return (
        "repos:\n"
        "  - repo: https://github.com/toollint/toollint\n"
        f"    rev: v{__version__}\n"
        "    hooks:\n"
        "      - id: toollint\n"
    )


def workflow_text() -> str:
    """The README's workflow, pinned to this version of the action."""
    return (
        "name: toollint\n"
        "on:\n"
        "  pull_request:\n"
        "  push:\n"
        "    branches: [main]\n"
        "permissions:\n"
        "  contents: read\n"
        "  security-events: write\n"
        "jobs:\n"
        "  toollint:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        f"      - uses: toollint/toollint@v{__version__}\n"
        "        with:\n"
        "          paths: .\n"
        "          fail-on: error\n"
    )
