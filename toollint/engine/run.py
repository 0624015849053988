"""Running a check: load documents, build the catalog, dispatch rules by target, resolve and filter diagnostics."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from toollint.catalog.extract import declarations
from toollint.catalog.model import Agent, Catalog, Prompt, Tool
from toollint.diagnostics import Diagnostic, Pointer, Severity, Span, Violation
from toollint.engine.config import Settings
from toollint.engine.forked import MAX_PIECES, Forked
from toollint.engine.rulebook import RuleSpec
from toollint.engine.suppressions import Suppression, comment_suppressions, pointer_suppressions, problem
from toollint.loading.discover import Candidate, discover, is_documentation, matches
from toollint.loading.document import Document, LoadError, load, parse

Check = Callable[[Any, "RuleContext"], Iterable[Violation]]
# a rule's violation, its file, whether on a write tool, the severity this finding has unless the config sets
# one (a change's level, for diffs); not yet located
Raw = tuple[RuleSpec, Violation, str, bool, Severity | None]


class RuleContext(NamedTuple):
    """What a check may know besides its subject: its options, the provider targets, and the enclosing tool/agent.

    A named tuple because one is made per tool for every parameter rule."""

    options: Mapping[str, Any]
    targets: tuple[str, ...]
    tool: Tool | None = None
    agent: Agent | None = None


@dataclass
class Result:
    diagnostics: list[Diagnostic]
    documents: dict[str, Document]
    files: int = 0
    tools: int = 0
    prompts: int = 0
    internal_error: bool = False
    counts: Counter[str] = field(default_factory=Counter)
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


def load_paths(paths: list[Path], settings: Settings, skip_unrecognized: bool = False) -> Loaded:
    loaded: Loaded = []
    candidates: Iterator[Candidate] = discover(paths, settings.exclude, settings.root)
    for candidate in candidates:
        if skip_unrecognized and candidate.explicit and is_documentation(candidate.path.name):
            continue  # pre-commit names README.md and friends; they are not prompts
        explicit = candidate.explicit and not skip_unrecognized
        loaded.append(load(candidate.path, explicit, settings.max_file_size))
    return loaded


def check_paths(
    paths: list[Path],
    settings: Settings,
    skip_unrecognized: bool = False,
    jobs: int = 1,
    extra: Sequence[Extra] = (),
) -> Result:
    return run(load_paths(paths, settings, skip_unrecognized), settings, jobs, extra)


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


def _agents(settings: Settings, tools: list[Tool], prompts: list[Prompt]) -> tuple[Agent, ...]:
    if not settings.agents:
        return (Agent("default", tuple(tools), tuple(prompts)),)

    def relative(path: str) -> str:
        try:
            return Path(path).resolve().relative_to(settings.root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    agents = []
    for spec in settings.agents:
        chosen_tools = tuple(t for t in tools if any(matches(relative(t.path), g) for g in spec.tools))
        chosen_prompts = tuple(
            p
            for p in prompts
            if p.agent == spec.name or (p.agent is None and any(matches(relative(p.path), g) for g in spec.prompts))
        )
        agents.append(Agent(spec.name, chosen_tools, chosen_prompts))
    return tuple(agents)


def run(loaded: Loaded, settings: Settings, jobs: int = 1, extra: Sequence[Extra] = ()) -> Result:
    book = settings.rulebook
    documents: dict[str, Document] = {}
    collector = Collector(settings, documents)
    engine_diagnostics: list[Diagnostic] = []
    tools: list[Tool] = []
    prompts: list[Prompt] = []
    parse_error = book.by_code["TL001"]
    unrecognised = book.by_code["TL002"]

    files = 0
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
        documents[document.path] = document
        if document.kind == "eval":
            eval_documents.append(document)
        found_tools, found_prompts = declarations(document)
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
    catalog = Catalog(tuple(tools), tuple(prompts), _agents(settings, tools, prompts), evals)
    checks = _checks(settings, collector)
    checker = _ToolChecker(checks, settings, documents)
    # Workers start before the cross-file rules so that those run in the parent while the workers check tools.
    bounds = _chunks(len(catalog.tools), jobs)
    workers = Forked(
        lambda i: checker.check(catalog.tools[bounds[i][0] : bounds[i][1]]),
        len(bounds),
        jobs if len(catalog.tools) >= PARALLEL_MIN_TOOLS else 1,
        _flatten,
        _unflatten,
    )
    _dispatch(checks, catalog, settings, collector, ("toolset", "prompt", "eval"))
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
    diagnostics.sort(key=Diagnostic.sort_key)
    return Result(
        diagnostics=diagnostics,
        documents=documents,
        files=files,
        tools=len(tools),
        prompts=len(prompts),
        internal_error=collector.internal_error,
        counts=Counter(d.code for d in diagnostics),
        evals=len(evals),
    )


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
            base = RuleContext(settings.options.get(rule.code, {}), settings.targets)
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
            (r, c, RuleContext(settings.options.get(r.code, {}), settings.targets))
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
                        context = RuleContext(options, targets, tool)
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
    return [Diagnostic(c, n, Severity(s), m, p, Span(*sp), ptr, rel) for c, n, s, m, p, sp, ptr, rel in flat[0]], flat[
        1
    ]


def _subjects(target: str, catalog: Catalog, base: RuleContext) -> Iterator[tuple[Any, RuleContext, str, Pointer]]:
    if target == "toolset":
        for agent in catalog.agents:
            yield agent, RuleContext(base.options, base.targets, agent=agent), "", ()
    elif target == "prompt":
        for agent in catalog.agents:
            context = RuleContext(base.options, base.targets, agent=agent)
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
                    relative = Path(path).resolve().relative_to(settings.root).as_posix()
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
