"""Command line: parses arguments into settings, calls the engine, prints a report, returns an exit code."""

from __future__ import annotations

import os
import sys

EXIT_SUCCESS = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def _exit_now(code: object) -> None:
    """Leave without tearing down the interpreter: freeing a large run's objects one by one takes a tenth of it.

    Only for the program itself (mypy does the same); callers of `main([...])` get SystemExit as usual.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):  # a closed (None), broken or full stream: said already
        pass
    os._exit(code if isinstance(code, int) else (0 if code is None else EXIT_ERROR))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        # answered before importing click: `toollint --version` is on every pre-commit and CI log
        from toollint import __version__

        sys.stdout.write(f"toollint {__version__}\n")
        raise SystemExit(EXIT_SUCCESS)
    from toollint.cli.app import cli

    try:
        cli.main(args=args, prog_name="toollint")
    except SystemExit as exc:
        if argv is None:
            _exit_now(exc.code)
        raise
    except KeyboardInterrupt:
        sys.stderr.write("toollint: interrupted\n")
        raise SystemExit(130) from None
    except OSError as exc:  # what no command handles, such as `--help` printed to a full disk: one line
        from toollint.escape import visible

        sys.stderr.write(f"toollint: error: {visible(exc.strerror or str(exc))}\n")
        raise SystemExit(EXIT_ERROR) from None
    except Exception as exc:  # never a traceback: say what broke and where to report it
        from toollint.escape import visible  # the error may quote a checked file

        sys.stderr.write(
            f"toollint: internal error: {type(exc).__name__}: {visible(str(exc))}\n"
            "Please report this at https://github.com/toollint/toollint/issues\n"
        )
        raise SystemExit(EXIT_ERROR) from None
