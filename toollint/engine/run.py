"""Running a check: load documents, build the catalog, dispatch rules by target, resolve and filter diagnostics."""

from __future__ import annotations

import importlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any

from toollint.catalog.extract import declarations
from toollint.catalog.model import Agent, Catalog, Prompt, Tool, with_vocabulary
from toollint.checks.rule import RuleContext, RuleSpec
from toollint.diagnostics import Diagnostic, Pointer, Severity, Span, Violation
from toollint.engine.config import ConfigError, Settings
from toollint.engine.forked import MAX_PIECES, Forked
from toollint.engine.suppressions import Suppression, comment_suppressions, pointer_suppressions, problem
from toollint.lazy_pattern import lazy_compile
from toollint.loading.discover import Candidate, discover, matches
from toollint.loading.document import Document, LoadError, display_path, load, parse
from toollint.loading.prompt_files import DOCUMENTATION_REASON, is_documentation, not_a_prompt

Check = Callable[[Any, RuleContext], Iterable[Violation]]
# a rule's violation, its file, whether on a write tool, the severity this finding has unless the config sets
# one (a change's level, for diffs); not yet located
Raw = tuple[RuleSpec, Violation, str, bool, Severity | None]


@dataclass
class Result:
    diagnostics: list[Diagnostic]
    documents: dict[str, Document]
    files: int = 0
    tools: int = 0
    prompts: int = 0
    internal_error: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # text files that are not prompts, and why
    evals: int = 0  # eval cases read from `*.eval.yaml` suites

    def worst(self) -> Severity | None:
        return max((d.severity for d in self.diagnostics), default=None)


def resolve_check(rule: RuleSpec) -> Check:
    if rule.then is not None:
        from toollint.checks.functions import generic_check

        return generic_check(rule)
    module_name, _, function = (rule.check or "").partition(":")
    module = importlib.import_module(f"toollint.checks.{module_name}")
    return getattr(module, function)  # type: ignore[no-any-return]


Loaded = list[tuple[Document | None, list[LoadError]]]
# checks that need more than the checked files (an older revision, the lock file) and add their diagnostics
Extra = Callable[[Catalog, dict[str, Document], Settings], list[Diagnostic]]


def load_paths(
    paths: list[Path],
    settings: Settings,
    skip_unrecognized: bool = False,
    skipped: list[tuple[str, str]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Loaded:
    """Load the files under `paths`; text files named like documentation are left out unless named (with
    `skip_unrecognized`, even then), and listed in `skipped` with the reason. `progress` hears the count."""
    loaded: Loaded = []
    candidates: Iterator[Candidate] = discover(paths, settings.exclude, settings.root)
    for candidate in candidates:
        if (skip_unrecognized or not candidate.explicit) and is_documentation(candidate.path.name):
            if skipped is not None:
                skipped.append((display_path(candidate.path), DOCUMENTATION_REASON))
            continue  # pre-commit names README.md and friends; they are not prompts
        explicit = candidate.explicit and not skip_unrecognized
        loaded.append(load(candidate.path, explicit, settings.max_file_size, candidate.problem))
        if progress is not None:
            progress(len(loaded))
    return loaded


def check_paths(
    paths: list[Path],
    settings: Settings,
    skip_unrecognized: bool = False,
    jobs: int = 1,
    extra: Sequence[Extra] = (),
    live: Sequence[tuple[Document | None, list[LoadError]]] = (),
    on_loaded: Callable[[int], None] | None = None,
    on_checking: Callable[[], None] | None = None,
) -> Result:
    """Check the named paths (and the documents of live MCP servers). Named files keep their context: their
    toolsets are built from the project around them (DESIGN §1), and findings are reported for the named files
    only."""
    skipped: list[tuple[str, str]] = []
    loaded = load_paths(paths, settings, skip_unrecognized, skipped, on_loaded) + list(live)
    context = _context(paths, settings, loaded)
    if on_checking is not None:
        on_checking()
    reported = None
    if context:
        reported = {document.path for document, _ in loaded if document is not None}
        reported |= {error.path for _, errors in loaded for error in errors}
    # context first: a duplicate across a named and an unnamed file is then reported at the named one
    result = run(context + loaded, settings, jobs, extra, reported)
    result.skipped[:0] = skipped
    return result


def project_root(settings: Settings, start: Path) -> Path:
    """The folder of the config file, else the git work tree's top, else the current folder."""
    if settings.config_path is not None:
        return settings.root
    import subprocess

    folder = _real(start) if start.is_dir() else _real(start).parent
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return settings.root
    return _real(Path(top.stdout.strip())) if top.returncode == 0 and top.stdout.strip() else settings.root


def _context(paths: list[Path], settings: Settings, loaded: Loaded) -> Loaded:
    """Files around the named ones that their toolsets need: for each named folder (or a named file's folder),
    the files under the nearest folder upwards, up to the project root, that holds any tool definition.

    Nothing is added when the whole project is named or a named path lies outside the project."""
    if not paths:
        return []
    root = project_root(settings, paths[0])
    # realpath, not Path.resolve: a symlink loop among the named paths is a TL001 already, not a RuntimeError
    resolved = [_real(p) for p in paths]
    if any(p == root or not p.is_relative_to(root) for p in resolved):
        return []
    seen = {_real(Path(d.path)) for d, _ in loaded if d is not None} | {p for p in resolved if not p.is_dir()}
    with_tools = {_real(Path(d.path)).parent for d, _ in loaded if d is not None and declarations(d)[0]}
    added: Loaded = []
    for folder in _folders_of_named_tool_files(loaded):
        # a named tool file shares its folder's toolset with the tool files beside it (TN004 across them)
        for sibling in sorted(folder.iterdir()):
            if sibling.suffix.lower() in _DATA_SUFFIXES and not sibling.name.startswith(".") and sibling.is_file():
                if sibling.resolve() not in seen:
                    seen.add(sibling.resolve())
                    added.append(load(sibling, False, settings.max_file_size))
    for start in dict.fromkeys(p if p.is_dir() else p.parent for p in resolved):
        for folder in (start, *start.parents):
            if any(f == folder or f.is_relative_to(folder) for f in with_tools):
                break
            shown = folder if paths[0].is_absolute() else Path(os.path.relpath(folder))  # paths as the user gave them
            for candidate in discover([shown], settings.exclude, settings.root):
                real = _real(candidate.path)
                if real in seen or (candidate.path.suffix.lower() not in _CONTEXT_SUFFIXES):
                    continue
                seen.add(real)
                document, errors = load(candidate.path, False, settings.max_file_size, candidate.problem)
                added.append((document, errors))
                if document is not None and declarations(document)[0]:
                    with_tools.add(real.parent)
            if folder == root:
                break
    return added


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


_CONTEXT_SUFFIXES = frozenset({".json", ".jsonl", ".yaml", ".yml", ".py"})  # files that can declare tools
_DATA_SUFFIXES = frozenset({".json", ".jsonl", ".yaml", ".yml"})


def _folders_of_named_tool_files(loaded: Loaded) -> list[Path]:
    """Folders of named JSON/YAML files that declare tools (a Python module is a toolset of its own)."""
    folders = {
        Path(d.path).resolve().parent for d, _ in loaded if d is not None and d.kind != "python" and declarations(d)[0]
    }
    return sorted(folders)


def parse_sources(sources: Iterable[tuple[str, str]], explicit: bool = True) -> Loaded:
    """In-memory files (name, text); the name's suffix decides the parser."""
    from toollint.loading.document import kind_of

    return [parse(name, text, kind_of(name) or "text", explicit) for name, text in sources]


def check_sources(sources: Iterable[tuple[str, str]], settings: Settings, extra: Sequence[Extra] = ()) -> Result:
    """Lint in-memory files. Used by tests and rule examples."""
    return run(parse_sources(sources), settings, extra=extra)


class Collector:
    """Turns violations into diagnostics: location from the document, code and severity from the settings."""

    def __init__(self, settings: Settings, documents: dict[str, Document]) -> None:
        self.settings = settings
        self.documents = documents
        self.raw: list[Raw] = []
        self.internal_error = False

    def add(
        self,
        rule: RuleSpec,
        violation: Violation,
        default_path: str,
        on_write_tool: bool = False,
        severity: Severity | None = None,
    ) -> None:
        if severity is None:
            severity = violation.severity
        self.raw.append((rule, violation, violation.path or default_path, on_write_tool, severity))

    def span(self, path: str, violation: Violation) -> Span:
        document = self.documents.get(path)
        if document is None:
            return Span(1, 1, 1, 1)
        if violation.offsets is not None:
            if not violation.pointer:
                return document.lines.span(*violation.offsets)
            # offsets inside a string value (a prompt in a YAML or JSON file): map them to the file
            mapped = getattr(document.locator, "string_offsets", lambda _: None)(violation.pointer)
            if mapped:
                start, end = violation.offsets
                last = len(mapped) - 1
                return document.lines.span(mapped[min(start, last)], mapped[min(end, last)])
        return document.span(violation.pointer, violation.anchor)

    def location(self, path: str, pointer: Pointer) -> str:
        document = self.documents.get(path)
        if document is None:
            return path
        span = document.span(pointer, "key")
        return f"{path}:{span.line}:{span.column}"

    def resolve(self) -> list[Diagnostic]:
        """Locate every collected violation. The hot loop of a large run, so the usual case is written out here:
        a pointer into a JSON or YAML document, the rule's configured severity."""
        configured = self.settings.severity
        documents = self.documents
        out: list[Diagnostic] = []
        append = out.append
        for rule, v, path, on_write, default in self.raw:
            document = documents.get(path)
            if default is not None or on_write or v.offsets is not None or v.related or document is None:
                related = tuple(self.location(p, ptr) for p, ptr in v.related)
                append(self.diagnostic(rule, v, path, related, on_write, default))
                continue
            span = document.span(v.pointer, v.anchor)
            severity = configured.get(rule.code, rule.severity)
            append(Diagnostic(rule.code, rule.name, severity, v.message, path, span, v.pointer))
        return out

    def diagnostic(
        self,
        rule: RuleSpec,
        violation: Violation,
        path: str,
        related: tuple[str, ...] = (),
        on_write_tool: bool = False,
        default: Severity | None = None,
    ) -> Diagnostic:
        severity = self.settings.severity.get(rule.code, rule.severity)
        if default is not None and severity == rule.severity:  # the config did not change the rule's severity
            severity = default
        if on_write_tool and rule.write_severity is not None:
            severity = max(severity, rule.write_severity)
        return Diagnostic(
            code=rule.code,
            name=rule.name,
            severity=severity,
            message=violation.message,
            path=path,
            span=self.span(path, violation),
            pointer=violation.pointer,
            related=related,
        )


def _relative(path: str, root: Path) -> str:
    try:
        return _real(Path(path)).relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _live_servers(tools: list[Tool], prompts: list[Prompt]) -> tuple[list[Tool], list[Prompt], list[Agent]]:
    """A live MCP server (`mcp://server/...`) is a toolset of its own: its instructions are checked against its
    tools alone, and its tools are no duplicates of the same tools read from the server's source."""

    def server(path: str) -> str | None:
        return path[: path.find("/", 6)] if path.startswith("mcp://") else None

    served: dict[str, tuple[list[Tool], list[Prompt]]] = {}
    for tool in tools:
        if server(tool.path):
            served.setdefault(server(tool.path) or "", ([], []))[0].append(tool)
    for prompt in prompts:
        if server(prompt.path):
            served.setdefault(server(prompt.path) or "", ([], []))[1].append(prompt)
    agents = [Agent(name, tuple(ts), tuple(ps)) for name, (ts, ps) in served.items()]
    return [t for t in tools if not server(t.path)], [p for p in prompts if not server(p.path)], agents


def _agents(
    settings: Settings, tools: list[Tool], prompts: list[Prompt], documents: dict[str, Document]
) -> tuple[Agent, ...]:
    """The toolsets and the prompts checked against each (DESIGN §1, "Toolsets and agents")."""
    if any(t.path.startswith("mcp://") for t in tools) or any(p.path.startswith("mcp://") for p in prompts):
        tools, prompts, live = _live_servers(tools, prompts)
        return (*_agents(settings, tools, prompts, documents), *live)
    if settings.agents:
        return _configured_agents(settings, tools, prompts, _code_names(documents))
    # without configured agents, `agent:` in front matter only marks the file as a prompt
    return inferred_agents(tools, prompts, documents)


def _configured_agents(
    settings: Settings, tools: list[Tool], prompts: list[Prompt], code_names: frozenset[str]
) -> tuple[Agent, ...]:
    known = {spec.name for spec in settings.agents}
    for prompt in prompts:
        if prompt.agent is not None and prompt.agent not in known:
            raise ConfigError(
                f"{prompt.path}: front matter names agent `{prompt.agent}`, which is not in the config's "
                f"`agents` ({', '.join(f'`{n}`' for n in sorted(known))}); fix the name or add the agent"
            )
    agents = []
    for spec in settings.agents:
        chosen_tools = tuple(t for t in tools if any(matches(_relative(t.path, settings.root), g) for g in spec.tools))
        chosen_prompts = tuple(
            p
            for p in prompts
            if p.agent == spec.name
            or (p.agent is None and any(matches(_relative(p.path, settings.root), g) for g in spec.prompts))
        )
        agents.append(Agent(spec.name, chosen_tools, chosen_prompts, code_names=code_names))
    return tuple(agents)


# `mcp = FastMCP(...)`, `server = Server("git")` at module level: a server object, whose tools form one toolset
_SERVER = lazy_compile(
    r"^[ \t]*(?P<name>[A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*(?:[\w.]+\.)?(?:\w*FastMCP|\w*MCPServer|Server|McpServer)\(",
    re.MULTILINE,
)
_REGISTERED_ON = lazy_compile(r"@\s*(?P<name>[A-Za-z_]\w*)\.(?:tool|list_tools|action)\b")


def _python_servers(document: Document) -> list[str]:
    return [m.group("name") for m in _SERVER.finditer(document.text)] if document.kind == "python" else []


def _server_of(tool: Tool, document: Document, servers: list[str]) -> str:
    """The server object a tool is registered on: the one of its decorator (`@jira.tool`), searched from the
    tool's line upwards, else the module's first."""
    if len(servers) == 1:
        return servers[0]
    line = document.span(tool.pointer).line
    for number in range(line, max(0, line - 40), -1):
        found = _REGISTERED_ON.search(document.source_line(number))
        if found and found.group("name") in servers:
            return found.group("name")
    return servers[0]


def inferred_agents(tools: list[Tool], prompts: list[Prompt], documents: dict[str, Document]) -> tuple[Agent, ...]:
    """Without config: the tools on one Python server object form a toolset, other tools one per folder; a
    prompt gets its module's server, else the tools under the nearest folder upwards that holds any."""
    _folder.cache_clear()  # relative paths depend on the current folder
    servers = {path: _python_servers(d) for path, d in documents.items()}
    units: dict[tuple[str, str], list[Tool]] = {}
    for tool in tools:
        document = documents.get(tool.path)
        if document is not None and servers.get(tool.path):
            key = (tool.path, _server_of(tool, document, servers[tool.path]))
        elif document is not None and document.kind == "python":
            # function tools (`@tool`, `@function_tool`) go to an agent built in their module; sibling
            # example scripts are separate programs
            key = (tool.path, "module")
        else:
            key = (_folder(tool.path), "")
        units.setdefault(key, []).append(tool)  # versions of one tool stay: TN004 tells them apart
    tools_under = _tools_by_ancestor(tools)
    code_names = _code_names(documents)
    by_unit: dict[tuple[str, str], list[Prompt]] = {}
    unions: dict[str, list[Prompt]] = {}
    units_of_file: dict[str, tuple[str, str]] = {}
    for key in units:
        units_of_file.setdefault(key[0], key)
    for prompt in prompts:
        in_module = units_of_file.get(prompt.path)
        folder = _nearest_folder_with_tools(prompt.path, tools_under)
        if in_module is not None:
            by_unit.setdefault(in_module, []).append(prompt)
        elif folder is not None and (folder, "") in units and len(tools_under[folder]) == len(units[(folder, "")]):
            by_unit.setdefault((folder, ""), []).append(prompt)  # the tools beside the prompt
        else:
            unions.setdefault(folder or "", []).append(prompt)
    unread = [Path(path) for path, d in documents.items() if d.unevaluated]  # tools that could not be read

    def incomplete(scope: str) -> bool:
        return any(
            str(p) == scope or _folder(str(p)) == scope or _folder(str(p)).startswith(scope + "/") for p in unread
        )

    agents = [
        Agent(
            _unit_name(key),
            tuple(unit),
            tuple(by_unit.get(key, ())),
            code_names=code_names,
            incomplete=incomplete(key[0]),
        )
        for key, unit in units.items()
    ]
    for folder, group in unions.items():
        held = tuple(tools_under.get(folder, ())) if folder else ()
        below = min((_levels_up(t.path, folder) for t in held), default=0)
        # the prompt and the tools more than two folders apart (`skills/x.md` and `pkg/agent/tools/`): the
        # prompt may be written for other tools, such as another part of a monorepo or a runtime's own
        near = [p for p in group if _levels_up(p.path, folder) + below <= 2]
        far = [p for p in group if _levels_up(p.path, folder) + below > 2]
        for chosen, assumed in ((near, False), (far, True)):
            if chosen:
                name = folder or "no tools"
                agents.append(Agent(name, held, tuple(chosen), False, assumed, code_names, incomplete(folder)))
    return tuple(agents) or (Agent("default", (), ()),)


_DEFINED = lazy_compile(
    r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(?P<name>[A-Za-z_]\w*)|\b(?:tool_)?name[ \t]*=[ \t]*[\"'](?P<string>[\w.-]+)[\"']",
    re.MULTILINE,
)


def _code_names(documents: dict[str, Document]) -> frozenset[str]:
    """Functions, classes, `name="x"` strings and module names of the Python sources: tools may hide behind
    any of them."""
    names: set[str] = set()
    for path, document in documents.items():
        if document.kind == "python":
            names.add(Path(path).stem)  # `tools/task_tracker.py` declares `task_tracker`, often by a constant
            names.update(m.group("name") or m.group("string") for m in _DEFINED.finditer(document.text))
    return frozenset(names)


def _levels_up(path: str, folder: str) -> int:
    if not folder:
        return 0
    return len(_ancestors(_folder(path))) - len(_ancestors(folder))


def _unit_name(key: tuple[str, str]) -> str:
    return f"{key[0]}:{key[1]}" if key[1] and key[1] != "module" else key[0] or "."


@lru_cache(maxsize=65536)
def _folder(path: str) -> str:
    """The absolute folder of a file; cached, since every tool of a file asks and resolving costs system calls.
    realpath, not Path.resolve: a symlink loop is a TL001 of its own, not a RuntimeError here."""
    return os.path.dirname(os.path.realpath(path))


@lru_cache(maxsize=4096)
def _ancestors(folder: str) -> tuple[str, ...]:
    """The folder and every folder above it, nearest first."""
    found = [folder]
    while (parent := os.path.dirname(found[-1])) != found[-1]:
        found.append(parent)
    return tuple(found)


def _tools_by_ancestor(tools: list[Tool]) -> dict[str, list[Tool]]:
    """Every folder that holds a tool at any depth, with those tools."""
    under: dict[str, list[Tool]] = {}
    for path, group in groupby(tools, key=attrgetter("path")):
        held = list(group)
        for ancestor in _ancestors(_folder(path)):
            under.setdefault(ancestor, []).extend(held)
    return under


def _nearest_folder_with_tools(path: str, tools_under: dict[str, list[Tool]]) -> str | None:
    return next((a for a in _ancestors(_folder(path)) if a in tools_under), None)


def run(
    loaded: Loaded,
    settings: Settings,
    jobs: int = 1,
    extra: Sequence[Extra] = (),
    reported: set[str] | None = None,
) -> Result:
    """Check loaded documents. With `reported`, the others are context: they shape toolsets, and their own
    findings are left out."""
    book = settings.rulebook
    documents: dict[str, Document] = {}
    collector = Collector(settings, documents)
    engine_diagnostics: list[Diagnostic] = []
    tools: list[Tool] = []
    prompts: list[Prompt] = []
    parse_error = book.by_code["TL001"]
    unrecognised = book.by_code["TL002"]

    files = 0
    skipped: list[tuple[str, str]] = []
    eval_documents: list[Document] = []
    for document, errors in loaded:
        files += 1
        for error in errors:
            span = Span(error.line, error.column, error.line, error.column + 1)
            engine_diagnostics.append(
                Diagnostic(parse_error.code, parse_error.name, Severity.ERROR, error.message, error.path, span)
            )
        if document is None:
            continue
        reason = _skip_reason(document, settings)
        if reason is not None:
            skipped.append((document.path, reason))
            continue
        documents[document.path] = document
        if document.kind == "eval":
            eval_documents.append(document)
        found_tools, found_prompts = declarations(document)
        found_tools = with_vocabulary(found_tools, settings.vocabulary)
        if document.unevaluated:
            engine_diagnostics.extend(_unevaluated(document, settings))
        tools.extend(found_tools)
        prompts.extend(found_prompts)
        if not found_tools and not found_prompts and document.explicit and not errors and document.kind != "eval":
            collector.add(
                unrecognised,
                Violation((), _NOTHING_FOUND[document.kind == "python"]),
                document.path,
            )

    evals = _eval_cases(eval_documents, documents, settings) if eval_documents else ()
    catalog = Catalog(tuple(tools), tuple(prompts), _agents(settings, tools, prompts, documents), evals)
    checks = _checks(settings, collector)
    checker = _ToolChecker(checks, settings, documents)
    own = catalog.tools if reported is None else tuple(t for t in catalog.tools if t.path in reported)
    # Workers start before the cross-file rules so that those run in the parent while the workers check tools.
    bounds = _chunks(len(own), jobs)
    workers = Forked(
        lambda i: checker.check(own[bounds[i][0] : bounds[i][1]]),
        len(bounds),
        jobs if len(own) >= PARALLEL_MIN_TOOLS else 1,
        _flatten,
        _unflatten,
    )
    _dispatch(checks, catalog, settings, collector, ("toolset", "agent", "prompt", "eval"))
    diagnostics = engine_diagnostics + collector.resolve()
    for path in {raw[2] for raw in collector.raw}:  # free the locations the cross-file findings needed
        if path in documents:
            documents[path].release_positions()
    collector.raw = []
    for part, failed in workers.results():
        diagnostics += part
        collector.internal_error |= failed
    for more in extra:
        diagnostics += more(catalog, documents, settings)
    diagnostics = _filter(diagnostics, documents, settings, collector)
    if reported is not None:
        diagnostics = [d for d in diagnostics if d.path in reported]
        files = len(reported)
        tools = [t for t in tools if t.path in reported]
        prompts = [p for p in prompts if p.path in reported]
    diagnostics.sort(key=Diagnostic.sort_key)
    return Result(
        diagnostics=diagnostics,
        documents=documents,
        files=files,
        tools=len(tools),
        prompts=len(prompts),
        internal_error=collector.internal_error,
        counts=Counter(d.code for d in diagnostics),
        skipped=skipped,
        evals=len(evals),
    )


def toolsets(loaded: Loaded, settings: Settings) -> tuple[Agent, ...]:
    """The agents a check of `loaded` builds (DESIGN §1), without running any rule: for `init` and `inventory`."""
    documents: dict[str, Document] = {}
    tools: list[Tool] = []
    prompts: list[Prompt] = []
    for document, _ in loaded:
        if document is None:
            continue
        if _skip_reason(document, settings) is not None:
            continue
        documents[document.path] = document
        found_tools, found_prompts = declarations(document)
        tools.extend(with_vocabulary(found_tools, settings.vocabulary))
        prompts.extend(found_prompts)
    return _agents(settings, tools, prompts, documents)


def _skip_reason(document: Document, settings: Settings) -> str | None:
    """Why a walked text file is left out of the catalog (it is not a prompt), or None; `run` and `toolsets`
    see the same documents."""
    return _not_a_prompt(document, settings) if document.kind == "text" and not document.explicit else None


def _not_a_prompt(document: Document, settings: Settings) -> str | None:
    """Why a text file met in a folder walk is not checked as a prompt; None when config or its text say it is."""
    relative = _relative(document.path, settings.root)
    if any(matches(relative, glob) for spec in settings.agents for glob in spec.prompts):
        return None
    return not_a_prompt(relative, document.text, document.front_matter)


_NOTHING_FOUND = (
    "no tool definitions or prompts found; expected Anthropic, OpenAI, MCP or Gemini tools, "
    "or a prompt file with `system`, `prompt` or `messages`",
    "no tools or prompts found; expected `@mcp.tool()`, LangChain `@tool`, `@function_tool`, a literal list "
    "of tool dicts, or a module-level string named like `SYSTEM_PROMPT`",
)


def _unevaluated(document: Document, settings: Settings) -> Iterator[Diagnostic]:
    """TL006: what toollint could not read in a Python file without running it."""
    rule = settings.rulebook.by_code["TL006"]
    severity = settings.severity.get(rule.code, rule.severity)
    for span, message in document.unevaluated:
        yield Diagnostic(rule.code, rule.name, severity, message, document.path, span)


def _checks(settings: Settings, collector: Collector) -> list[tuple[RuleSpec, Check]]:
    book = settings.rulebook
    internal = book.by_code["TL005"]
    checks = []
    for code in sorted(settings.enabled):
        rule = book.by_code[code]
        if rule.check == "engine:builtin":
            continue
        try:
            checks.append((rule, resolve_check(rule)))
        except (ImportError, AttributeError) as exc:
            collector.internal_error = True
            collector.add(
                internal, Violation((), f"rule {code} cannot be loaded from `{rule.check}`: {exc}"), rule.origin
            )
    return checks


def _dispatch(
    checks: list[tuple[RuleSpec, Check]],
    catalog: Catalog,
    settings: Settings,
    collector: Collector,
    targets: tuple[str, ...],
) -> None:
    """Toolset and prompt rules, which look across files."""
    for rule, check in checks:
        if rule.target in targets:
            base = RuleContext(settings.options.get(rule.code, {}), settings.targets, vocabulary=settings.vocabulary)
            for subject, context, path, pointer in _subjects(rule.target, catalog, base):
                _apply(rule, check, subject, context, path, pointer, collector)


def _apply(
    rule: RuleSpec,
    check: Check,
    subject: Any,
    context: RuleContext,
    path: str,
    pointer: Pointer,
    collector: Collector,
    on_write_tool: bool = False,
) -> None:
    try:
        for violation in check(subject, context):
            collector.add(rule, violation, path, on_write_tool)
    except Exception as exc:  # a broken rule must not hide the other findings
        _failed(rule, subject, exc, path, pointer, collector)


def _failed(rule: RuleSpec, subject: Any, exc: Exception, path: str, pointer: Pointer, collector: Collector) -> None:
    collector.internal_error = True
    label = getattr(subject, "display_name", None) or getattr(subject, "name", "") or path
    message = f"rule {rule.code} ({rule.name}) failed on `{label}`: {type(exc).__name__}: {exc}"
    collector.add(collector.settings.rulebook.by_code["TL005"], Violation(pointer, message), path)


class _ToolChecker:
    """Runs the tool and parameter rules over a run of tools and locates their findings."""

    def __init__(self, checks: list[tuple[RuleSpec, Check]], settings: Settings, documents: dict[str, Document]):
        self.settings = settings
        self.documents = documents
        self.tool_checks = [
            (r, c, RuleContext(settings.options.get(r.code, {}), settings.targets, vocabulary=settings.vocabulary))
            for r, c in checks
            if r.target == "tool"
        ]
        self.parameter_checks = [(r, c, settings.options.get(r.code, {})) for r, c in checks if r.target == "parameter"]
        self.escalating = any(r.write_severity is not None for r, _ in checks)

    def check(self, tools: Sequence[Tool]) -> tuple[list[Diagnostic], bool]:
        collector = Collector(self.settings, self.documents)
        targets = self.settings.targets
        diagnostics: list[Diagnostic] = []
        for path, group in groupby(tools, key=attrgetter("path")):
            for tool in group:
                on_write = self.escalating and tool.risk.risk != "read"
                for rule, check, context in self.tool_checks:
                    _apply(rule, check, tool, context, path, tool.pointer, collector, on_write)
                parameters = tool.parameters
                if parameters:
                    for rule, check, options in self.parameter_checks:
                        context = RuleContext(options, targets, tool, vocabulary=self.settings.vocabulary)
                        _apply_each(rule, check, parameters, context, path, collector, on_write)
            diagnostics += collector.resolve()
            collector.raw.clear()
            # locations are cached per file while resolving; a long run must not keep them all
            document = self.documents.get(path)
            if document is not None:
                document.release_positions()
        return diagnostics, collector.internal_error


def _apply_each(
    rule: RuleSpec,
    check: Check,
    parameters: Sequence[Any],
    context: RuleContext,
    path: str,
    collector: Collector,
    on_write_tool: bool,
) -> None:
    """`_apply` for each parameter of a tool, with one exception handler around the loop instead of one per call."""
    add = collector.add
    done = 0
    while done < len(parameters):
        try:
            for parameter in parameters[done:] if done else parameters:
                for violation in check(parameter, context):
                    add(rule, violation, path, on_write_tool)
                done += 1
        except Exception as exc:
            _failed(rule, parameters[done], exc, path, parameters[done].pointer, collector)
            done += 1


PARALLEL_MIN_TOOLS = 1000  # below this, starting workers costs more than it saves
CHUNK_TOOLS = 200


def _chunks(count: int, jobs: int) -> list[tuple[int, int]]:
    """Ranges of tools handed out one at a time, largest first, so that no process is left with a long piece
    while the others have nothing more to do (guided scheduling: each piece is a share of what remains).

    A file split between two pieces has the start of its locations found twice, so one job gets one piece."""
    if jobs <= 1 or count < 2 * CHUNK_TOOLS:
        return [(0, count)] if count else []
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < count and len(bounds) < MAX_PIECES - 1:
        size = max(CHUNK_TOOLS, (count - start) // (2 * jobs))
        bounds.append((start, min(start + size, count)))
        start += size
    if start < count:
        bounds.append((start, count))
    return bounds


def _flatten(part: tuple[list[Diagnostic], bool]) -> tuple[list[tuple[Any, ...]], bool]:
    # plain tuples pickle three times faster than named tuples holding an enum
    return [(d[0], d[1], int(d[2]), *d[3:5], tuple(d[5]), *d[6:]) for d in part[0]], part[1]


def _unflatten(flat: tuple[list[tuple[Any, ...]], bool]) -> tuple[list[Diagnostic], bool]:
    return [Diagnostic(c, n, Severity(s), m, p, Span(*sp), *rest) for c, n, s, m, p, sp, *rest in flat[0]], flat[1]


def _subjects(target: str, catalog: Catalog, base: RuleContext) -> Iterator[tuple[Any, RuleContext, str, Pointer]]:
    if target in ("toolset", "agent"):
        for agent in catalog.agents:
            if target == "toolset" and not agent.toolset:
                continue  # the union of toolsets a prompt sees; each toolset is checked on its own
            yield agent, RuleContext(base.options, base.targets, agent=agent, vocabulary=base.vocabulary), "", ()
    elif target == "prompt":
        for agent in catalog.agents:
            context = RuleContext(base.options, base.targets, agent=agent, vocabulary=base.vocabulary)
            for prompt in agent.prompts:
                yield prompt, context, prompt.path, prompt.pointer
    elif target == "eval":
        for case in catalog.evals:
            yield case, base, case.path, case.pointer


def _eval_cases(eval_documents: list[Document], documents: dict[str, Document], settings: Settings) -> tuple[Any, ...]:
    """The cases of eval suites with the tools they name: files checked in this run, else read from disk."""
    from toollint.catalog.evals import eval_cases

    extra: dict[str, Document | None] = {}

    def lookup(path: str) -> Document | None:
        if path in documents:
            return documents[path]
        if path not in extra:
            candidate = Path(path)
            extra[path] = load(candidate, False, settings.max_file_size)[0] if candidate.is_file() else None
        return extra[path]

    return tuple(case for document in eval_documents for case in eval_cases(document, lookup))


def _opaque(document: Document | None, pointer: Pointer) -> bool:
    if document is None or not document.opaque:
        return False
    return any(pointer[: len(o)] == o for o in document.opaque)


def _filter(
    diagnostics: list[Diagnostic], documents: dict[str, Document], settings: Settings, collector: Collector
) -> list[Diagnostic]:
    book = settings.rulebook
    ignored_by_file: dict[str, frozenset[str]] = {}

    def file_ignores(path: str) -> frozenset[str]:
        if path not in ignored_by_file:
            codes: set[str] = set()
            if settings.per_file_ignores:
                try:
                    relative = _real(Path(path)).relative_to(settings.root).as_posix()
                except ValueError:
                    relative = Path(path).as_posix()
                for glob, ignored in settings.per_file_ignores:
                    if matches(relative, glob):
                        codes |= ignored
            ignored_by_file[path] = frozenset(codes)
        return ignored_by_file[path]

    suppressions: list[Suppression] = []
    for document in documents.values():
        if document.kind in ("yaml", "text", "python", "eval"):
            suppressions.extend(comment_suppressions(document))
        if document.kind != "text":
            suppressions.extend(pointer_suppressions(document))
    by_path: dict[str, list[Suppression]] = {}
    for s in suppressions:
        by_path.setdefault(s.path, []).append(s)

    known = set(book.by_code)
    valid = {id(s) for s in suppressions if problem(s, known) is None}
    used: set[int] = set()
    kept: list[Diagnostic] = []
    for d in diagnostics:
        if d.pointer and not d.code.startswith("TL") and _opaque(documents.get(d.path), d.pointer):
            continue  # the value was not evaluated; a finding about it would be a guess
        if d.code not in settings.enabled or d.code in file_ignores(d.path) and d.code not in ("TL001", "TL005"):
            continue
        hit = next(
            (s for s in by_path.get(d.path, ()) if id(s) in valid and s.matches(d.code, d.span.line, d.pointer)),
            None,
        )
        if hit is not None and d.code not in ("TL001", "TL005"):
            used.add(id(hit))
            continue
        kept.append(d)

    for s in suppressions:
        why = problem(s, known)
        rule = book.by_code["TL004" if why else "TL003"]
        if rule.code not in settings.enabled or rule.code in file_ignores(s.path):
            continue
        if why is None:
            if id(s) in used or not any(c in settings.enabled and c not in file_ignores(s.path) for c in s.codes):
                continue
            why = f"unused suppression of {', '.join(s.codes)}: no such finding here"
        violation = Violation(s.pointer, why) if not s.line else Violation((), why)
        diagnostic = collector.diagnostic(rule, violation, s.path)
        if s.line:
            diagnostic = Diagnostic(
                diagnostic.code,
                diagnostic.name,
                diagnostic.severity,
                why,
                s.path,
                Span(s.line, s.column, s.line, s.column + 1),
            )
        kept.append(diagnostic)
    return kept
