"""Command line: parses arguments into settings, calls the engine, prints a report, returns an exit code."""

from __future__ import annotations

import sys

EXIT_SUCCESS = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


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
    except KeyboardInterrupt:
        sys.stderr.write("toollint: interrupted\n")
        raise SystemExit(130) from None
    except Exception as exc:  # never a traceback: say what broke and where to report it
        sys.stderr.write(f"toollint: internal error: {type(exc).__name__}: {exc}\n"
                         "Please report this at https://github.com/toollint/toollint/issues\n")
        raise SystemExit(EXIT_ERROR) from None
