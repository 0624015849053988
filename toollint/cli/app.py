"""The click commands. Each one only turns arguments into settings and hands them to a function that does the work."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import Any, NamedTuple

import click

from toollint import __version__
from toollint.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_SUCCESS
from toollint.engine.config import OUTPUT_FORMATS, PROVIDER_TARGETS, ConfigError, Overrides, load_settings


def _fail(message: str) -> None:
    _say(f"toollint: error: {message}")
    raise SystemExit(EXIT_ERROR)


def _say(line: str) -> None:
    """One line on stderr; paths and messages in it may come from checked files, so nothing in it is raw."""
    from toollint.escape import visible

    click.echo(visible(line), err=True)


def _selectors(values: tuple[str, ...]) -> tuple[str, ...]:
    """Options may be repeated and comma-separated: `--select TS,TD --select TN001`."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


class CheckInvocation(NamedTuple):
    paths: tuple[Path, ...]
    overrides: Overrides
    output_file: Path | None
    exit_zero: bool
    statistics: bool
    quiet: bool
    color: str
    skip_unrecognized: bool
    jobs: int = 0
    base: str | None = None
    locked: bool = False
    verbose: bool = False
    servers: tuple[Any, ...] = ()  # live MCP servers (`--mcp-stdio`, `--mcp-url`)
    mcp_timeout: float = 30.0
    baseline: Path | None = None
    write_baseline: Path | None = None


def _mcp_options(command: Any) -> Any:
    """`--mcp-stdio`, `--mcp-url` and `--mcp-timeout`, shared by `check` and `lock`."""
    for option in reversed(
        (
            click.option(
                "--mcp-stdio",
                metavar="CMD",
                multiple=True,
                help="Also check the tools of the MCP server this command starts (runs it; repeatable).",
            ),
            click.option(
                "--mcp-url",
                metavar="URL",
                multiple=True,
                help="Also check the tools of the MCP server at this URL (streamable HTTP; SSE when the path "
                "ends in /sse; repeatable).",
            ),
            click.option(
                "--mcp-timeout",
                metavar="SECONDS",
                type=click.FloatRange(min=0, min_open=True),
                default=30.0,
                show_default=True,
                help="How long a live MCP server may take to start and list its tools.",
            ),
        )
    ):
        command = option(command)
    return command


class _Terminated(BaseException):
    """SIGTERM, raised where the program is, so that workers are stopped on the way out."""


def _terminate(signum: int, frame: Any) -> None:
    raise _Terminated


class _Group(click.Group):
    """Ctrl-C and SIGTERM end a command with one line and the shell's codes, 130 and 143 (click says `Aborted!`, 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        import signal
        import threading

        handle = threading.current_thread() is threading.main_thread()  # only the main thread may set handlers
        previous = signal.signal(signal.SIGTERM, _terminate) if handle else None
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _stop_workers()
            _say("toollint: interrupted")
            raise SystemExit(130) from None
        except _Terminated:
            _stop_workers()
            _say("toollint: terminated")
            raise SystemExit(143) from None
        finally:
            if handle and previous is not None:  # None: a handler set outside Python, which cannot be put back
                signal.signal(signal.SIGTERM, previous)


def _stop_workers() -> None:
    forked = sys.modules.get("toollint.engine.forked")
    if forked is not None:
        forked.stop_all()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="toollint", message="%(prog)s %(version)s")
def cli() -> None:
    """Lint LLM tool definitions and the prompts that use them."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))  # unreadable: TL001
@click.option("--config", type=click.Path(path_type=Path), help="Config file to use instead of the closest one.")
@click.option(
    "--select",
    multiple=True,
    help="Rules to enable (codes, prefixes or names; comma-separated). Replaces the config's.",
)
@click.option("--extend-select", multiple=True, help="Rules to enable in addition to the selected ones.")
@click.option("--ignore", multiple=True, help="Rules to disable.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    type=click.Choice(PROVIDER_TARGETS),
    help="Provider whose limits apply (repeatable; default anthropic, openai, mcp).",
)
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), help="How to print findings (default text).")
@click.option("--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that makes the exit code 1 (default error).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (internal errors still exit 2).")
@click.option("--statistics", is_flag=True, help="Print a count per rule and what was loaded instead of each finding.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes for large inputs (0: one per core)."
)
@click.option(
    "--skip-unrecognized",
    is_flag=True,
    help="Skip named files that hold no tool or prompt (for pre-commit, which names every file).",
)
@click.option(
    "--base",
    metavar="REV",
    help="Also report what changed since this git revision (TC rules), e.g. origin/main.",
)
@click.option("--locked", is_flag=True, help="Report tools whose definition differs from toollint.lock (TC021).")
@_mcp_options
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Report and fail only on findings not recorded in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record today's findings in this file (for `--baseline`) and exit 0.",
)
@click.option("-q", "--quiet", is_flag=True, help="Leave out the summary line.")
@click.option("-v", "--verbose", is_flag=True, help="Also say, for each text file skipped, why it is not a prompt.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output; NO_COLOR turns auto off.",
)
def check(
    paths: tuple[Path, ...],
    config: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    targets: tuple[str, ...],
    output_format: str | None,
    output_file: Path | None,
    fail_on: str | None,
    exit_zero: bool,
    statistics: bool,
    jobs: int,
    skip_unrecognized: bool,
    base: str | None,
    locked: bool,
    mcp_stdio: tuple[str, ...],
    mcp_url: tuple[str, ...],
    mcp_timeout: float,
    baseline: Path | None,
    write_baseline: Path | None,
    quiet: bool,
    verbose: bool,
    color: str,
) -> None:
    """Check tool definitions and prompts under PATHS (default: the current folder, unless only live MCP
    servers are named)."""
    overrides = Overrides(
        config=config,
        select=_selectors(select) or None,
        extend_select=_selectors(extend_select),
        ignore=_selectors(ignore),
        targets=targets or None,
        fail_on=fail_on,
        output_format=output_format,
    )
    servers = _servers(mcp_stdio, mcp_url)
    invocation = CheckInvocation(
        paths or (() if servers else (Path("."),)),
        overrides,
        output_file,
        exit_zero,
        statistics,
        quiet,
        color,
        skip_unrecognized,
        jobs,
        base,
        locked,
        verbose,
        servers,
        mcp_timeout,
        baseline,
        write_baseline,
    )
    raise SystemExit(run_check(invocation))


def run_check(invocation: CheckInvocation) -> int:
    import gc

    # A check allocates millions of long-lived objects (parsed documents) and creates no cycles worth
    # collecting; the cyclic collector would re-traverse them all many times (a third of the run time).
    gc.disable()
    from toollint.engine.run import check_paths
    from toollint.loading.discover import PathNotFound

    missing = [p for p in invocation.paths if not os.path.lexists(p)]  # a broken link is a TL001, not missing
    if missing:
        _fail(f"path `{missing[0]}` does not exist")
    try:
        settings = load_settings(invocation.overrides, (*invocation.paths, Path("."))[0])
        jobs = invocation.jobs or _available_cores()
        extra = _extra_checks(invocation, settings)
        live = _live(invocation.servers, invocation.mcp_timeout)
        with _progress(invocation.quiet) as progress:
            result = check_paths(
                list(invocation.paths),
                settings,
                invocation.skip_unrecognized,
                jobs,
                extra,
                live,
                on_loaded=progress.loaded,
                on_checking=progress.checking,
            )
    except ConfigError as exc:
        _fail(str(exc))
    except PathNotFound as exc:
        _fail(str(exc))
    if invocation.verbose:
        for path, reason in result.skipped:
            _say(f"toollint: skipped `{path}`, not a prompt: {reason}")
    if invocation.write_baseline is not None:
        return _write_baseline(invocation.write_baseline, result, settings)
    result = _apply_baseline(invocation.baseline or settings.baseline, result, settings, invocation.quiet)
    if not (
        result.tools
        or result.prompts
        or result.evals
        or result.diagnostics
        or invocation.skip_unrecognized
        or invocation.quiet
    ):
        # a CI gate pointed at the wrong folder would otherwise pass without a word
        where = ", ".join([*(f"`{p}`" for p in invocation.paths), *(f"`{s.label}`" for s in invocation.servers)])
        _say(
            f"toollint: warning: no tool definitions or prompts found under {where} "
            f"({result.files} file{'' if result.files == 1 else 's'} read); check the paths"
        )
    return _report(
        result,
        settings,
        invocation.output_file,
        invocation.color,
        invocation.quiet,
        invocation.statistics,
        invocation.exit_zero,
    )


def _progress(quiet: bool) -> Any:
    """The progress line on a terminal (toollint.cli.progress), or a stand-in that draws nothing."""
    from toollint.cli.progress import Progress, wanted

    return Progress() if wanted(quiet) else _NoProgress()


class _NoProgress:
    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def loaded(self, count: int) -> None:
        pass

    def checking(self, tools: int = 0) -> None:
        pass


def _servers(stdio: tuple[str, ...], urls: tuple[str, ...]) -> tuple[Any, ...]:
    if not stdio and not urls:
        return ()
    from toollint.loading import mcp_live

    return (*(mcp_live.stdio(c) for c in stdio), *(mcp_live.http(u) for u in urls))


def _live(servers: tuple[Any, ...], timeout: float) -> list[Any]:
    """Documents of the live MCP servers, or exit 2 naming the one that failed."""
    if not servers:
        return []
    from toollint.loading.mcp_live import McpServerError, load_servers

    try:
        return load_servers(servers, timeout)
    except McpServerError as exc:
        _fail(str(exc))
    raise AssertionError("unreachable")


def _write_baseline(path: Path, result: Any, settings: Any) -> int:
    from toollint.engine.baseline import BaselineError, write_baseline

    try:
        count = write_baseline(path, result, settings.root)
    except BaselineError as exc:
        _fail(str(exc))
    _say(f"wrote {path}: {count} finding{'' if count == 1 else 's'} recorded")
    return EXIT_ERROR if result.internal_error else EXIT_SUCCESS


def _apply_baseline(path: Path | None, result: Any, settings: Any, quiet: bool) -> Any:
    """Only the findings `path` does not hold; the entries that no longer occur are listed on stderr."""
    if path is None:
        return result
    from toollint.engine.baseline import BaselineError, apply_baseline, read_baseline

    try:
        applied = apply_baseline(result, read_baseline(path), settings.root)
    except BaselineError as exc:
        _fail(str(exc))
    if applied.gone:
        count = sum(e.occurrences for e in applied.gone)
        lines = [
            f"toollint: {count} finding{' is' if count == 1 else 's are'} in baseline `{path}` but no longer "
            f"occur{'s' if count == 1 else ''}; refresh it with `--write-baseline {path}`:"
        ]
        shown = applied.gone[:_GONE_SHOWN]
        lines += [
            f"  {e.path}: {e.code} {e.message}" + (f" (x{e.occurrences})" if e.occurrences > 1 else "") for e in shown
        ]
        if len(applied.gone) > _GONE_SHOWN:
            lines.append(f"  and {len(applied.gone) - _GONE_SHOWN} more")
        for line in lines:
            _say(line)
    if applied.known and not quiet:
        _say(f"toollint: {applied.known} known finding{'' if applied.known == 1 else 's'} in `{path}` not shown")
    return applied.result


_GONE_SHOWN = 20


def _extra_checks(invocation: CheckInvocation, settings: Any) -> list[Any]:
    """`--base` and `--locked`: checks against an older revision and against the lock file."""
    extra: list[Any] = []
    if invocation.base:
        from toollint.diff.gate import against
        from toollint.diff.sources import SideError, require_tools, revision_side

        try:
            paths = list(invocation.paths) or [Path(".")]
            base = revision_side(invocation.base, paths, settings)
            shown = " ".join(str(p) for p in paths)
            require_tools(base, f"the base side (`{shown}` at `{invocation.base}`)")
            extra.append(against(base))
        except SideError as exc:
            _fail(str(exc))
    if invocation.locked:
        from toollint.diff.lock import LockError, find_lock, locked, read_lock

        lock_path = find_lock(settings)
        try:
            extra.append(locked(lock_path, read_lock(lock_path)))
        except LockError as exc:
            _fail(str(exc))
    return extra


def _report(
    result: Any,
    settings: Any,
    output_file: Path | None,
    color: str,
    quiet: bool,
    statistics: bool = False,
    exit_zero: bool = False,
    suffix: str = "",  # appended to the report: `diff`'s token cost
) -> int:
    from toollint.reporting import ReportOptions, renderer

    use_color = color == "always" or (
        color == "auto"
        and output_file is None
        and not os.environ.get("NO_COLOR")
        and sys.stdout is not None
        and sys.stdout.isatty()
    )
    options = ReportOptions(settings.rulebook, color=use_color, quiet=quiet, version=__version__, root=settings.root)
    if statistics and settings.output_format == "json":
        from toollint.reporting.structured import render_statistics_json

        report = render_statistics_json(result)
    elif statistics:
        from toollint.reporting.text import render_statistics

        report = render_statistics(result)
    else:
        report = renderer(settings.output_format)(result, options)
    report += ("\n" if suffix and settings.output_format == "markdown" else "") + suffix
    if output_file is not None:
        try:
            output_file.write_text(report, encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            _fail(f"cannot write `{output_file}`: {exc.strerror or exc}")
    else:
        _write(report)

    if result.internal_error:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_SUCCESS
    worst = result.worst()
    return EXIT_FINDINGS if worst is not None and worst >= settings.fail_on else EXIT_SUCCESS


def _available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _write(text: str) -> None:
    """The report on stdout, in its encoding (what it cannot encode is escaped, never a crash).

    A reader that went away (`toollint check | head -1`) ends the output quietly, as for ruff or grep; a stdout
    that cannot take the report (closed, a full disk) is a one-line error."""
    stream = sys.stdout
    try:
        if stream is None:  # started with stdout closed (`>&-`)
            raise OSError(errno.EBADF, "standard output is closed")
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(text)
        else:
            stream.flush()
            buffer.write(text.encode(stream.encoding or "utf-8", "backslashreplace"))
        stream.flush()
    except BrokenPipeError:
        _discard_stdout()
    except OSError as exc:
        _discard_stdout()
        _fail(f"cannot write the report to standard output: {exc.strerror or exc}")


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered cannot fail again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass


@cli.command()
@click.argument("rule_id", metavar="CODE|NAME")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rule(rule_id: str, output_format: str) -> None:
    """Show the documentation of one rule."""
    from toollint.engine.rulebook import RulebookError, load_builtin
    from toollint.escape import to_json
    from toollint.reporting.ruledoc import render_rule, rule_as_dict

    try:
        book = load_builtin()
    except RulebookError as exc:
        _fail(str(exc))
    spec = book.lookup(rule_id)
    if spec is None:
        import difflib

        close = difflib.get_close_matches(rule_id, [*book.by_code, *book.by_name], n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else "; `toollint rules` lists them"
        _fail(f"unknown rule `{rule_id}`{hint}")
    assert spec is not None
    _write(to_json(rule_as_dict(spec), indent=2) + "\n" if output_format == "json" else render_rule(spec, book))


@cli.command()
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule with its code, name, default severity and summary."""
    from toollint.engine.rulebook import RulebookError, load_builtin
    from toollint.escape import to_json
    from toollint.reporting.ruledoc import render_rule_list, rule_as_dict

    try:
        book = load_builtin()
    except RulebookError as exc:
        _fail(str(exc))
    if output_format == "json":
        _write(to_json([rule_as_dict(book.by_code[c]) for c in sorted(book.by_code)], indent=2) + "\n")
    else:
        _write(render_rule_list(book))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))  # unreadable: TL001
@click.option("--config", type=click.Path(path_type=Path), help="Config file to use instead of the closest one.")
@click.option("--output-format", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option(
    "--exact-tokens",
    is_flag=True,
    help="Also count each toolset's tokens with Anthropic's token-counting endpoint (needs ANTHROPIC_API_KEY).",
)
@click.option(
    "--token-model", metavar="MODEL", help="The model `--exact-tokens` counts for (default claude-sonnet-4-5)."
)
def inventory(
    paths: tuple[Path, ...], config: Path | None, output_format: str, exact_tokens: bool, token_model: str | None
) -> None:
    """List every tool under PATHS with its risk class, approval gate, idempotency and source, and each toolset
    with the tokens its definitions add to every request."""
    from toollint.catalog.extract import tools_of
    from toollint.catalog.model import with_vocabulary
    from toollint.catalog.tokens import DEFAULT_COUNT_MODEL, TokenCountError, exact_counter
    from toollint.engine.run import toolsets
    from toollint.reporting.inventory import render, rows, toolset_rows

    settings, loaded = _load(paths, config)
    for error in (e for _, errors in loaded for e in errors):
        _say(f"toollint: warning: {error.path}:{error.line}:{error.column}: {error.message}")
    tools, documents = tools_of(loaded)
    tools = with_vocabulary(tools, settings.vocabulary)  # risk read with config's vocabulary, as `check` does
    try:
        sets = [(_toolset_label(a.name), a.tools) for a in toolsets(loaded, settings) if a.toolset and a.tools]
        counter = exact_counter(token_model or DEFAULT_COUNT_MODEL) if exact_tokens else None
        summary = toolset_rows(sets, counter)
    except (ConfigError, TokenCountError) as exc:
        _fail(str(exc))
    _write(render(rows(tools, documents), output_format, summary))


def _toolset_label(name: str) -> str:
    """A toolset's name for people: its folder as the paths were given (relative below the current folder)."""
    if not name.startswith("/"):
        return name
    relative = os.path.relpath(name)
    return name if relative.startswith("..") else Path(relative).as_posix()


def _load(paths: tuple[Path, ...], config: Path | None) -> tuple[Any, Any]:
    """Settings and loaded documents for PATHS (default: the current folder), or exit 2 saying what is wrong."""
    from toollint.engine.run import load_paths
    from toollint.loading.discover import PathNotFound

    paths = paths or (Path("."),)
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        _fail(f"path `{missing[0]}` does not exist")
    try:
        settings = load_settings(Overrides(config=config), paths[0])
        return settings, load_paths(list(paths), settings)
    except (ConfigError, PathNotFound) as exc:
        _fail(str(exc))
    raise AssertionError("unreachable")


_LEVELS = {"breaking": "error", "risky": "warning", "safe": "info"}


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--config", type=click.Path(path_type=Path), help="Config file to use instead of the closest one.")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True)
@click.option("--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file.")
@click.option(
    "--fail-on",
    type=click.Choice(list(_LEVELS)),
    default="breaking",
    show_default=True,
    help="Lowest level of change that makes the exit code 1.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are breaking changes.")
@click.option("-q", "--quiet", is_flag=True, help="Leave out the summary line.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
def diff(
    old: str,
    new: str,
    config: Path | None,
    output_format: str,
    output_file: Path | None,
    fail_on: str,
    exit_zero: bool,
    quiet: bool,
    color: str,
) -> None:
    """Report what changed between two versions of a toolset, and what the change breaks.

    OLD and NEW are each a file, a folder, a git revision (the current folder at that revision: `HEAD~1`,
    `origin/main`) or `REV:path`. Changes are breaking (error), risky (warning) or safe (info); prompts in NEW
    that still use the old shape turn them into errors at the prompt's line.
    """
    import dataclasses

    from toollint.diff.gate import against
    from toollint.diff.sources import SideError, require_tools, side
    from toollint.engine.run import run

    try:
        settings = load_settings(
            Overrides(config=config, output_format=output_format, fail_on=_LEVELS[fail_on]), Path(".")
        )
        old_loaded = side(old, settings)
        require_tools(old_loaded, f"the old side `{old}`")
        new_loaded = side(new, settings, new=True)
        require_tools(new_loaded, f"the new side `{new}`")
    except (ConfigError, SideError) as exc:
        _fail(str(exc))
    for _, errors in old_loaded:
        for error in errors:
            _say(f"toollint: warning: old version unreadable: {error.path}:{error.line}: {error.message}")
    changes_only = frozenset(
        code for code in settings.rulebook.by_code if code.startswith("TC") or code in ("TL001", "TL005")
    )
    result = run(new_loaded, dataclasses.replace(settings, enabled=changes_only), extra=[against(old_loaded)])
    suffix = (
        ""
        if quiet or output_format not in ("text", "concise", "markdown")
        else _token_growth(old_loaded, new_loaded, output_format)
    )
    raise SystemExit(_report(result, settings, output_file, color, quiet, exit_zero=exit_zero, suffix=suffix))


def _token_growth(old: Any, new: Any, output_format: str) -> str:
    """What the tool definitions cost per request before and after, for the report's end."""
    from toollint.catalog.extract import tools_of
    from toollint.catalog.tokens import growth
    from toollint.reporting.inventory import render_token_growth

    return render_token_growth(growth(tools_of(old)[0], tools_of(new)[0]), output_format)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))  # unreadable: TL001
@click.option("--config", type=click.Path(path_type=Path), help="Config file to use instead of the closest one.")
@_mcp_options
def lock(
    paths: tuple[Path, ...],
    config: Path | None,
    mcp_stdio: tuple[str, ...],
    mcp_url: tuple[str, ...],
    mcp_timeout: float,
) -> None:
    """Pin every tool under PATHS (and of the live MCP servers named): write toollint.lock, which
    `toollint check --locked` compares against."""
    from toollint.catalog.extract import tools_of
    from toollint.diff.lock import find_lock, write_lock
    from toollint.escape import visible
    from toollint.loading.document import display_path

    servers = _servers(mcp_stdio, mcp_url)
    if servers and not paths:  # pin only the server
        try:
            settings, loaded = load_settings(Overrides(config=config), Path(".")), list[Any]()
        except ConfigError as exc:
            _fail(str(exc))
    else:
        settings, loaded = _load(paths, config)
    loaded = [*loaded, *_live(servers, mcp_timeout)]
    errors = [e for _, found in loaded for e in found]
    if errors:
        first = errors[0]
        _fail(f"{first.path}:{first.line}:{first.column}: {first.message}; fix it before pinning the tools")
    target = find_lock(settings)
    try:
        count = write_lock(target, tools_of(loaded)[0], settings.root)
    except OSError as exc:
        _fail(f"cannot write `{target}`: {exc.strerror or exc}")
    _write(visible(f"wrote {display_path(Path(os.path.relpath(target)))}: {count} tools pinned") + "\n")


@cli.command(name="eval")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--provider", type=click.Choice(["anthropic", "openai"]), help="Model API (default: the file's target).")
@click.option("--model", help="Model to evaluate (default: the file's `target.model`).")
@click.option("--base-url", help="API base URL (Anthropic without /v1; OpenAI-compatible with /v1).")
@click.option("--repeats", type=click.IntRange(min=1), help="Runs per case, instead of the file's.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Runs in flight at once (default: the file's, 4).")
@click.option("--case", "cases", multiple=True, help="Run only this case id (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Run only cases with this tag (repeatable).")
@click.option("--max-requests", type=click.IntRange(min=1), help="Stop before sending more requests than this.")
@click.option("--max-cost", type=click.FloatRange(min=0), help="Stop before the estimated cost exceeds this (USD).")
@click.option("--max-retries", type=click.IntRange(min=0), help="SDK retries per request (429, 5xx, 529, network).")
@click.option("--timeout", type=click.FloatRange(min=0.1), help="Seconds per request.")
@click.option("--no-cache", is_flag=True, help="Do not mark tools and system prompt for prompt caching.")
@click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False), help="Baseline file to compare with.")
@click.option("--update-baseline", is_flag=True, help="Bless this run's results as the new baseline.")
@click.option("--allow-new-failures", is_flag=True, help="New or changed failing cases do not fail the gate.")
@click.option("--errors-as-failures", is_flag=True, help="Exit 1 instead of 3 when infrastructure errors decide.")
@click.option("--strict", is_flag=True, help="A pass-rate drop with Fisher p < 0.10 fails the gate.")
@click.option("--require-same-target", is_flag=True, help="Refuse a baseline recorded with another model.")
@click.option(
    "--max-cost-drift",
    type=click.FloatRange(min=0),
    default=0.5,
    help="Warn when a case's tool calls or tokens grow more.",
)
@click.option("--changed-since", metavar="REV", help="Run only the cases whose tools or prompt changed since REV.")
@click.option("--batch", is_flag=True, help="Send runs through the Message Batches API (half price, slow).")
@click.option("--batch-state", type=click.Path(path_type=Path, dir_okay=False), help="Where --batch keeps its state.")
@click.option("--batch-id", metavar="ID", help="Resume this batch when --batch's state file is gone.")
@click.option("--poll-interval", type=click.FloatRange(min=0), default=10.0, help="Seconds between batch polls.")
@click.option("--record", type=click.Path(path_type=Path, file_okay=False), help="Write each run's transcript here.")
@click.option("--replay", type=click.Path(path_type=Path, file_okay=False), help="Re-score recorded transcripts.")
@click.option("--output-format", type=click.Choice(["text", "json", "junit", "markdown"]), default="text")
@click.option("--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines.")
def eval_command(paths: tuple[Path, ...], **options: Any) -> None:
    """Run the eval regression set (default: evals/**/*.eval.yaml) against a live model and gate on regressions.

    Exit codes: 0 passed, 1 a regression, a failing critical case or a new failing case, 2 usage or
    configuration error (bad eval file, rejected key, unknown model), 3 infrastructure errors left cases
    undecided. Keys come from the environment only (ANTHROPIC_API_KEY, OPENAI_API_KEY).
    """
    from toollint.eval import EvalSettings, run_eval

    if options["record"] and options["replay"]:
        _fail("`--record` and `--replay` cannot be combined")
    no_cache = options.pop("no_cache")
    settings = EvalSettings(
        paths=paths,
        prompt_caching=False if no_cache else None,
        cases=options.pop("cases"),
        tags=options.pop("tags"),
        **options,
    )
    try:
        code = run_eval(settings)
    except KeyboardInterrupt:
        click.echo("toollint: interrupted; no verdict (a --batch run resumes when run again)", err=True)
        code = 130
    raise SystemExit(code)


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--force", is_flag=True, help="Overwrite `.toollint.yaml` and the workflow when they exist.")
def init(path: Path | None, force: bool) -> None:
    """Inspect the project at PATH (default: the current folder) and write `.toollint.yaml` with the toolsets
    and prompts found, `.pre-commit-config.yaml` (or print the hook to add) and a GitHub workflow."""
    from toollint.cli.init import InitError, plan, write
    from toollint.escape import visible

    root = path or Path(".")
    try:
        planned = plan(root, force)
        write(root, planned.files)
    except InitError as exc:
        _fail(str(exc))
    except (ConfigError, OSError) as exc:
        _fail(f"cannot initialise `{root}`: {getattr(exc, 'strerror', None) or exc}")
    for item in planned.files:
        shown = (root / item.path).as_posix() if path is not None else item.path
        _write(visible(f"wrote {shown}" + (f": {item.note}" if item.note and "\n" not in item.note else "")) + "\n")
        if "\n" in item.note:
            _write("".join(f"  {visible(line)}\n" for line in item.note.splitlines()))
    if planned.pre_commit_snippet is not None:
        click.echo("`.pre-commit-config.yaml` exists; add this hook to its `repos:`:\n" + planned.pre_commit_snippet)
