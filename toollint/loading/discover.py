"""Turning the paths on the command line into the list of files to check."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from toollint.loading.document import KIND_BY_SUFFIX
from toollint.loading.ignored import Ignored

PRUNED_DIRECTORIES = frozenset({"node_modules", "__pycache__", "venv", "site-packages", "build", "dist", "htmlcov"})
# Project documentation is not a prompt; it is checked only when named explicitly. Text files named like
# documentation are passed on, so that `check -v` can say why they were skipped (engine.run.load_paths).
DOCUMENTATION_FILES = ("README*", "CHANGELOG*", "CONTRIBUTING*", "LICENSE*", "CODE_OF_CONDUCT*", "SECURITY*")


def is_documentation(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in DOCUMENTATION_FILES)


class PathNotFound(Exception):
    pass


class Candidate(NamedTuple):
    path: Path
    explicit: bool


def matches(relative_posix: str, pattern: str) -> bool:
    """Glob match: patterns without a slash match the file name, others the path from the config's folder."""
    pattern = pattern.rstrip("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in relative_posix.split("/"))
    pattern = pattern.removeprefix("./")
    return fnmatch.fnmatchcase(relative_posix, pattern) or fnmatch.fnmatchcase(relative_posix, pattern + "/*")


def discover(paths: Iterable[Path], exclude: tuple[str, ...] = (), root: Path | None = None) -> Iterator[Candidate]:
    root = (root or Path.cwd()).resolve()
    seen: set[Path] = set()

    def excluded(path: Path) -> bool:
        if not exclude:
            return False
        try:
            rel = path.resolve().relative_to(root).as_posix()
        except ValueError:
            rel = path.as_posix()
        return any(matches(rel, pattern) for pattern in exclude)

    for given in paths:
        if not given.exists():
            raise PathNotFound(f"path `{given}` does not exist")
        if given.is_file():
            key = given.resolve()
            if key not in seen:
                seen.add(key)
                yield Candidate(given, explicit=True)
            continue
        ignored = Ignored(given)
        for folder, dirnames, filenames in os.walk(given):
            here = Path(folder)
            real_folder = os.path.realpath(folder)  # once per folder; each file then costs one lstat, not one per part
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not d.startswith(".")
                and d not in PRUNED_DIRECTORIES
                and not excluded(here / d)
                and os.path.join(real_folder, d) not in ignored
            )
            for name in sorted(filenames):
                suffix = os.path.splitext(name)[1].lower()
                if suffix not in KIND_BY_SUFFIX:
                    continue
                if name.startswith(".") or (is_documentation(name) and KIND_BY_SUFFIX[suffix] != "text"):
                    continue
                path = here / name
                key = Path(os.path.join(real_folder, name))
                if os.path.islink(key):
                    key = key.resolve()
                if key in seen or excluded(path) or str(key) in ignored:
                    continue
                seen.add(key)
                yield Candidate(path, explicit=False)
