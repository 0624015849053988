"""The two sides of a diff: a file or folder on disk, or the same paths at a git revision (`HEAD~1`, `REV:path`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from toollint.engine.config import Settings
from toollint.engine.run import Loaded, load_paths
from toollint.loading.discover import is_documentation, matches
from toollint.loading.document import KIND_BY_SUFFIX, LoadError, decode, display_path, parse


class SideError(Exception):
    """A side that cannot be read: says what is wrong and what to do."""


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise SideError("git is not installed; a revision needs git to be read") from exc


def repository_root(start: Path) -> Path:
    folder = start if start.is_dir() else start.parent
    done = _git(["rev-parse", "--show-toplevel"], folder if folder.exists() else Path.cwd())
    if done.returncode != 0:
        raise SideError(f"`{start}` is not inside a git repository, so a revision cannot be read")
    return Path(done.stdout.decode().strip())


def verify_revision(revision: str, root: Path) -> str:
    done = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    if done.returncode != 0:
        remote, _, branch = revision.partition("/")
        fetch = f"git fetch {remote} {branch}" if branch else "git fetch --all"
        raise SideError(
            f"git revision `{revision}` not found in {root}; fetch it first (`{fetch}`; in GitHub Actions, "
            "check out with `fetch-depth: 0`)"
        )
    return done.stdout.decode().strip()


def is_revision(text: str, root: Path) -> bool:
    return _git(["rev-parse", "--verify", "--quiet", f"{text}^{{commit}}"], root).returncode == 0


def revision_side(revision: str, paths: list[Path], settings: Settings, label: str | None = None) -> Loaded:
    """The files under `paths` as they were at `revision`, parsed like files on disk.

    Displayed as `REV:path` unless `label` is "" (the new side of `toollint diff OLD NEW`)."""
    root = repository_root(Path(os.path.realpath(paths[0])))
    commit = verify_revision(revision, root)
    specs = []
    for path in paths:
        try:
            specs.append(Path(os.path.realpath(path)).relative_to(root).as_posix() or ".")
        except ValueError as exc:
            raise SideError(f"`{path}` is outside the repository at {root}") from exc
    listed = _git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *specs], root)
    if listed.returncode != 0:
        raise SideError(f"cannot list files at `{revision}`: {listed.stderr.decode().strip()}")
    entries = [
        (name, blob)
        for name, blob in _tree_entries(listed.stdout)
        if os.path.splitext(name)[1].lower() in KIND_BY_SUFFIX
        and not is_documentation(os.path.basename(name))
        and not any(part.startswith(".") for part in name.split("/"))
        and not any(matches(name, glob) for glob in settings.exclude)
    ]
    prefix = f"{revision}:" if label is None else label
    loaded: Loaded = []
    for (name, _), raw in zip(entries, _blobs([blob for _, blob in entries], root), strict=True):
        display = prefix + display_path(Path(os.path.relpath(root / name)))  # as the checkout's files are shown
        if len(raw) > settings.max_file_size:
            loaded.append((None, [LoadError(display, "file above the size limit at this revision")]))
            continue
        text = decode(raw, display)
        if isinstance(text, LoadError):
            loaded.append((None, [text]))
            continue
        loaded.append(parse(display, text, KIND_BY_SUFFIX[os.path.splitext(name)[1].lower()], False))
    return loaded


def _tree_entries(listing: bytes) -> list[tuple[str, str]]:
    """(path, blob id) of each regular file in NUL-separated `git ls-tree -r -z` output.

    A file name may hold any byte but NUL, newlines included, so names are only ever split on NUL, and
    blobs are later asked for by id rather than by `REV:name`: a name can then never shift the blobs that
    follow it. Links (mode 120000) and submodules are not files to check."""
    entries = []
    for record in listing.split(b"\0"):
        meta, tab, name = record.partition(b"\t")
        fields = meta.split()
        if not tab or len(fields) != 3 or fields[1] != b"blob" or fields[0] == b"120000":
            continue
        entries.append((name.decode("utf-8", "replace"), fields[2].decode("ascii")))
    return entries


def _blobs(blob_ids: list[str], root: Path) -> list[bytes]:
    """Every file's content from one `git cat-file --batch` process, asked for by blob id."""
    if not blob_ids:
        return []
    done = _git(["cat-file", "--batch"], root, "".join(f"{blob}\n" for blob in blob_ids).encode("ascii"))
    out = done.stdout
    blobs: list[bytes] = []
    position = 0
    for _ in blob_ids:
        header_end = out.find(b"\n", position)
        header = out[position:header_end].split() if header_end >= 0 else []
        if len(header) < 3 or header[-1] == b"missing" or not header[2].isdigit():
            blobs.append(b"")
            position = header_end + 1 if header_end >= 0 else len(out)
            continue
        size = int(header[2])
        blobs.append(out[header_end + 1 : header_end + 1 + size])
        position = header_end + 1 + size + 1
    return blobs


def require_tools(loaded: Loaded, what: str) -> None:
    """A side with no tool would turn every tool of the other side into an addition or a removal: a diff against
    the wrong path or revision must fail, not pass."""
    from toollint.catalog.extract import tools_of

    if not tools_of(loaded)[0]:
        unreadable = sum(1 for _, errors in loaded for _ in errors)
        why = f"; {unreadable} file(s) could not be read" if unreadable else ""
        raise SideError(f"{what} holds no tool definition{why}; check the path and the revision")


def side(spec: str, settings: Settings, new: bool = False) -> Loaded:
    """`spec` as a path on disk, `REV:path`, or a revision (the current folder at that revision)."""
    path = Path(spec)
    if path.exists():
        return load_paths([path], settings)
    label = "" if new else None
    revision, colon, inner = spec.partition(":")
    if colon and revision:
        # like `git show REV:path`: from the top of the work tree, unless the path starts with ./ or ../
        relative = inner.startswith(("./", "../")) or inner in (".", "..")
        start = Path(inner) if relative else repository_root(Path.cwd()) / inner
        return revision_side(revision, [start], settings, label)
    root = repository_root(Path.cwd())
    if not is_revision(spec, root):
        raise SideError(f"`{spec}` is neither a file or folder nor a git revision of {root}")
    return revision_side(spec, [Path(".")], settings, label)
