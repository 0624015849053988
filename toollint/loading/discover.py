"""Turning the paths on the command line into the list of files to check.

A checked repository may be hostile, so the walk reads only regular files inside the checked tree: links
that leave it, FIFOs, devices and sockets are passed over (a FIFO would hang the read, `/dev/zero` would
never end), and a folder that cannot be listed is reported, never skipped in silence. A path named on the
command line is never passed over: whatever is wrong with it becomes a TL001 that says what.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from toollint.loading.document import KIND_BY_SUFFIX, special_file_kind
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
    problem: str | None = None  # why the path cannot be read (a FIFO, a link out of the tree...): a TL001


def matches(relative_posix: str, pattern: str) -> bool:
    """Glob match: patterns without a slash match the file name, others the path from the config's folder."""
    pattern = pattern.rstrip("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in relative_posix.split("/"))
    pattern = pattern.removeprefix("./")
    return fnmatch.fnmatchcase(relative_posix, pattern) or fnmatch.fnmatchcase(relative_posix, pattern + "/*")


def inside(path: str, folder: str) -> bool:
    """Whether the real path `path` is `folder` or below it (both already resolved)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def link_problem(path: str) -> str | None:
    """What is wrong with a link that cannot be followed: a loop or a missing target."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop: the link leads back to itself; remove or fix the link"
        if exc.errno == errno.ENOENT:
            return "broken symlink: its target does not exist; remove or fix the link"
        return f"cannot read file: {exc.strerror or exc}"
    return None


def _outside_tree(what: str) -> str:
    return (
        f"symlink to a {what} outside the checked tree; toollint does not follow links that leave it "
        "(name the target itself to check it)"
    )


def discover(paths: Iterable[Path], exclude: tuple[str, ...] = (), root: Path | None = None) -> Iterator[Candidate]:
    root_real = os.path.realpath(root or Path.cwd())
    seen: set[str] = set()

    def excluded(path: Path) -> bool:
        if not exclude:
            return False
        real = os.path.realpath(path)
        rel = os.path.relpath(real, root_real) if inside(real, root_real) else path.as_posix()
        return any(matches(Path(rel).as_posix(), pattern) for pattern in exclude)

    for given in paths:
        if not os.path.lexists(given):
            raise PathNotFound(f"path `{given}` does not exist")
        if given.is_dir():
            yield from _walk(given, root_real, excluded, seen, Ignored(given))
            continue
        key = os.path.realpath(given)
        if key not in seen:
            seen.add(key)
            yield Candidate(given, explicit=True, problem=_named_file_problem(given, key, root_real))


def _named_file_problem(given: Path, real: str, root_real: str) -> str | None:
    """Why a path named on the command line (not a folder) cannot be read, or None."""
    if given.is_symlink():
        problem = link_problem(str(given))
        if problem is not None:
            return problem
        # the tree of a named file is the project, or the file's own folder when it lies outside the project
        folder = os.path.realpath(given.parent)
        tree = root_real if inside(folder, root_real) else folder
        if not inside(real, tree):
            return _outside_tree("file")
    try:
        mode = os.stat(given).st_mode
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    kind = special_file_kind(mode)
    return None if kind is None else f"not a regular file but {kind}; toollint reads only regular files"


def _walk(
    top: Path, root_real: str, excluded: Callable[[Path], bool], seen: set[str], ignored: Ignored
) -> Iterator[Candidate]:
    """Folders depth-first in name order, files of each folder in name order, like `os.walk`."""
    top_real = os.path.realpath(top)
    trees = (top_real, root_real)
    stack = [top]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            # os.walk would drop this error: a folder the gate cannot list must not pass in silence
            yield Candidate(here, explicit=True, problem=f"folder cannot be listed: {exc.strerror or exc}")
            continue
        real_folder = os.path.realpath(here)  # once per folder; each file then costs no system call
        folders = []
        for entry in entries:
            name = entry.name
            try:
                is_folder = entry.is_dir(follow_symlinks=False)  # links to folders are not walked into
            except OSError:
                is_folder = False
            if is_folder:
                if (
                    not name.startswith(".")
                    and name not in PRUNED_DIRECTORIES
                    and not excluded(here / name)
                    and os.path.join(real_folder, name) not in ignored
                ):
                    folders.append(here / name)
                continue
            suffix = os.path.splitext(name)[1].lower()
            if suffix not in KIND_BY_SUFFIX:
                continue
            if name.startswith(".") or (is_documentation(name) and KIND_BY_SUFFIX[suffix] != "text"):
                continue
            candidate = _walked_file(here / name, entry, real_folder, trees)
            if candidate is None:
                continue
            key, problem = candidate
            if key in seen or excluded(here / name) or key in ignored:
                continue
            seen.add(key)
            yield Candidate(here / name, explicit=False, problem=problem)
        stack.extend(reversed(folders))


def _walked_file(
    path: Path, entry: os.DirEntry[str], real_folder: str, trees: tuple[str, str]
) -> tuple[str, str | None] | None:
    """(dedupe key, problem) of a file met in a walk, or None when the walk passes it over."""
    try:
        if entry.is_file(follow_symlinks=False):
            return os.path.join(real_folder, entry.name), None
        if not entry.is_symlink():
            return None  # a FIFO, socket or device: reading it could hang or never end
    except OSError:
        return None
    target = os.path.realpath(path)
    if not any(inside(target, tree) for tree in trees):
        return None  # a link out of the checked tree could print any file of the machine in an excerpt
    problem = link_problem(str(path))
    if problem is not None:
        return target, problem
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except OSError as exc:
        return target, f"cannot read file: {exc.strerror or exc}"
    return (target, None) if regular else None
