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
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
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
@click.option("-q", "--quiet", is_flag=True, help="Leave out the summary line.")
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
    quiet: bool,
    color: str,
) -> None:
    """Check tool definitions and prompts under PATHS (default: the current folder)."""
    overrides = Overrides(
        config=config,
        select=_selectors(select) or None,
        extend_select=_selectors(extend_select),
        ignore=_selectors(ignore),
        targets=targets or None,
        fail_on=fail_on,
        output_format=output_format,
    )
    invocation = CheckInvocation(
        paths or (Path("."),),
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
    )
    raise SystemExit(run_check(invocation))


def run_check(invocation: CheckInvocation) -> int:
    import gc

    # A check allocates millions of long-lived objects (parsed documents) and creates no cycles worth
    # collecting; the cyclic collector would re-traverse them all many times (a third of the run time).
    gc.disable()
    from toollint.engine.run import check_paths
    from toollint.loading.discover import PathNotFound

    missing = [p for p in invocation.paths if not p.exists()]
    if missing:
        _fail(f"path `{missing[0]}` does not exist")
    try:
        settings = load_settings(invocation.overrides, invocation.paths[0])
        jobs = invocation.jobs or _available_cores()
        extra = _extra_checks(invocation, settings)
        result = check_paths(list(invocation.paths), settings, invocation.skip_unrecognized, jobs, extra)
    except ConfigError as exc:
        _fail(str(exc))
    except PathNotFound as exc:
        _fail(str(exc))
    if not (result.tools or result.prompts or result.diagnostics or invocation.skip_unrecognized or invocation.quiet):
        # a CI gate pointed at the wrong folder would otherwise pass without a word
        where = ", ".join(f"`{p}`" for p in invocation.paths)
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


def _extra_checks(invocation: CheckInvocation, settings: Any) -> list[Any]:
    """`--base` and `--locked`: checks against an older revision and against the lock file."""
    extra: list[Any] = []
    if invocation.base:
        from toollint.diff.gate import against
        from toollint.diff.sources import SideError, revision_side

        try:
            extra.append(against(revision_side(invocation.base, list(invocation.paths), settings)))
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
) -> int:
    from toollint.reporting import ReportOptions, renderer

    use_color = color == "always" or (
        color == "auto"
        and output_file is None
        and not os.environ.get("NO_COLOR")
        and sys.stdout is not None
        and sys.stdout.isatty()
    )
    options = ReportOptions(settings.rulebook, color=use_color, quiet=quiet, version=__version__)
    if statistics:
        from toollint.reporting.text import render_statistics

        report = render_statistics(result)
    else:
        report = renderer(settings.output_format)(result, options)
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
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", type=click.Path(path_type=Path), help="Config file to use instead of the closest one.")
@click.option("--output-format", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
def inventory(paths: tuple[Path, ...], config: Path | None, output_format: str) -> None:
    """List every tool under PATHS with its risk class, approval gate, idempotency and source."""
    from toollint.catalog.extract import tools_of
    from toollint.reporting.inventory import render, rows

    _, loaded = _load(paths, config)
    for error in (e for _, errors in loaded for e in errors):
        _say(f"toollint: warning: {error.path}:{error.line}:{error.column}: {error.message}")
    tools, documents = tools_of(loaded)
    _write(render(rows(tools, documents), output_format))


def _load(paths: tuple[Path, ...], config: Path | None) -> tuple[Any, Any]:
    """Settings and loaded documents for PATHS (default: the current folder), or exit 2 saying what is wrong."""
    from toollint.engine.run import load_paths
    from toollint.loading.discover import PathNotFound

    paths = paths or (Path("."),)
    missing = [p for p in paths if not p.exists()]
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
    from toollint.diff.sources import SideError, side
    from toollint.engine.run import run

    try:
        settings = load_settings(
            Overrides(config=config, output_format=output_format, fail_on=_LEVELS[fail_on]), Path(".")
        )
        old_loaded = side(old, settings)
        new_loaded = side(new, settings, new=True)
    except (ConfigError, SideError) as exc:
        _fail(str(exc))
    for _, errors in old_loaded:
        for error in errors:
            _say(f"toollint: warning: old version unreadable: {error.path}:{error.line}: {error.message}")
    changes_only = frozenset(
        code for code in settings.rulebook.by_code if code.startswith("TC") or code in ("TL001", "TL005")
    )
    result = run(new_loaded, dataclasses.replace(settings, enabled=changes_only), extra=[against(old_loaded)])
    raise SystemExit(_report(result, settings, output_file, color, quiet, exit_zero=exit_zero))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", type=click.Path(path_type=Path), help="Config file to use instead of the closest one.")
def lock(paths: tuple[Path, ...], config: Path | None) -> None:
    """Pin every tool under PATHS: write toollint.lock, which `toollint check --locked` compares against."""
    from toollint.catalog.extract import tools_of
    from toollint.diff.lock import find_lock, write_lock
    from toollint.escape import visible
    from toollint.loading.document import display_path

    settings, loaded = _load(paths, config)
    errors = [e for _, found in loaded for e in found]
    if errors:
        first = errors[0]
        _fail(f"{first.path}:{first.line}:{first.column}: {first.message}; fix it before pinning the tools")
    target = find_lock(settings)
    try:
        count = write_lock(target, tools_of(loaded)[0], settings.root)
    except OSError as exc:
        _fail(f"cannot write `{target}`: {exc.strerror or exc}")
    _write(visible(f"wrote {display_path(target)}: {count} tools pinned") + "\n")
