"""Reading one file into a Document: decoding, size limits, parsing by kind, and parse errors with positions."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, NamedTuple

from toollint.diagnostics import Anchor, Pointer, Span
from toollint.loading.positions import DuplicateKey, LineIndex, Locator

Kind = Literal["json", "jsonl", "yaml", "text", "python", "eval"]

KIND_BY_SUFFIX: dict[str, Kind] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".md": "text",
    ".markdown": "text",
    ".txt": "text",
    ".prompt": "text",
    ".j2": "text",
    ".jinja": "text",
    ".jinja2": "text",
    ".py": "python",
}

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
EVAL_SUFFIXES = (".eval.yaml", ".eval.yml")  # eval suites: YAML, read as cases by `check` and `toollint eval`


def kind_of(name: str) -> Kind | None:
    """The document kind a file name asks for: its suffix, except that `*.eval.yaml` is an eval suite."""
    lowered = name.lower()
    if lowered.endswith(EVAL_SUFFIXES):
        return "eval"
    return KIND_BY_SUFFIX.get(os.path.splitext(lowered)[1])


class LoadError(NamedTuple):
    """A file that could not be read or parsed; becomes a TL001 diagnostic."""

    path: str
    message: str
    line: int = 1
    column: int = 1


@dataclass(eq=False)
class Document:
    path: str
    kind: Kind
    text: str
    data: Any
    explicit: bool = False
    front_matter: dict[str, Any] = field(default_factory=dict)
    _locator: Locator | None = None
    # Python sources only: pointers to values that could not be evaluated (findings there are dropped),
    # the reasons as (span, message), and the lines of each tool's decorators and `def`, for suppressions
    opaque: frozenset[Pointer] = frozenset()
    unevaluated: tuple[tuple[Span, str], ...] = ()
    scopes: tuple[tuple[int, int, Pointer], ...] = ()

    @cached_property
    def lines(self) -> LineIndex:
        return LineIndex(self.text)

    @property
    def locator(self) -> Locator:
        if self._locator is None:
            from toollint.loading.json_source import JsonLocator

            self._locator = JsonLocator(self.text, lines=self.lines) if self.kind == "json" else _TextLocator()
        return self._locator

    def span(self, pointer: Pointer, anchor: Anchor = "value") -> Span:
        return self.locator.span(pointer, anchor)

    def release_positions(self) -> None:
        if self._locator is not None:
            self._locator.release()

    def source_line(self, line: int) -> str:
        start = self.lines.line_start(line)
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)].rstrip("\r")


class _TextLocator:
    """Prompt texts have no pointers into structure; everything maps to the start of the file."""

    def span(self, pointer: Pointer, anchor: Anchor = "value") -> Span:
        return Span(1, 1, 1, 1)

    def release(self) -> None:
        pass


def display_path(path: Path) -> str:
    """The path as output shows it: relative to the current folder, unless it was given absolute (a CI log
    or an editor opening `/abs/path/...` needs it as given, not as `../../abs/path/...`)."""
    if path.is_absolute():
        return path.as_posix()
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return Path(rel).as_posix()


def special_file_kind(mode: int) -> str | None:
    """What a path that is not a regular file or folder is, in words; None for those two."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _size_error(display: str, size: int | None, max_size: int) -> LoadError:
    shown = f"is {size / 1_048_576:.1f} MB, above" if size is not None else "is above"
    return LoadError(
        display,
        f"file {shown} the {max_size / 1_048_576:.0f} MB limit (raise `max-file-size` in the config to check it)",
    )


def read_bytes(path: Path | str, display: str, max_size: int) -> bytes | LoadError:
    """The bytes of a regular file, at most `max_size` of them.

    The file is opened without blocking (a FIFO swapped in after the walk would otherwise wait for a writer
    forever) and read up to one byte past the limit whatever its size claims, so a file that grows while it
    is read, or a device that never ends, costs no more than the limit."""
    try:
        mode = os.stat(path).st_mode  # refuse devices before opening them: opening some has side effects
        kind = special_file_kind(mode)
        if kind is None and stat.S_ISDIR(mode):
            kind = "a folder"
        if kind is not None:
            return LoadError(display, f"not a regular file but {kind}; toollint reads only regular files")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return LoadError(display, _os_error(exc))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return LoadError(display, "not a regular file; toollint reads only regular files")
        if info.st_size > max_size:
            return _size_error(display, info.st_size, max_size)
        chunks: list[bytes] = []
        remaining = max_size + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        return LoadError(display, _os_error(exc))
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    return _size_error(display, None, max_size) if len(raw) > max_size else raw


def _os_error(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop: the link leads back to itself; remove or fix the link"
    return f"cannot read file: {exc.strerror or exc}"


def read_text(path: Path, display: str, max_size: int) -> str | LoadError:
    raw = read_bytes(path, display, max_size)
    return raw if isinstance(raw, LoadError) else decode(raw, display)


def decode(raw: bytes, display: str) -> str | LoadError:
    if b"\x00" in raw[:8192]:
        return LoadError(display, "binary file (contains NUL bytes), not a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return LoadError(display, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", line, column)
    return text


def parse(display: str, text: str, kind: Kind, explicit: bool) -> tuple[Document | None, list[LoadError]]:
    """Parse text of a known kind; a document may come back together with errors (JSON Lines)."""
    if kind == "json":
        from toollint.loading.json_source import JsonLocator, JsonParseError, parse_json_document

        try:
            data, duplicates = parse_json_document(text)
        except JsonParseError as exc:
            line, column = LineIndex(text).position(exc.offset)
            return None, [LoadError(display, f"invalid JSON: {exc.message}", line, column)]
        if not duplicates:
            return Document(display, kind, text, data, explicit), []
        document = Document(display, kind, text, data, explicit, _locator=JsonLocator(text, unique_keys=False))
        return document, _duplicate_errors(display, document.lines, duplicates)
    if kind == "jsonl":
        from toollint.loading.json_source import JsonLinesLocator, parse_json_lines

        parsed = parse_json_lines(text)
        lines = LineIndex(text)
        load_errors = [
            LoadError(display, f"invalid JSON: {e.message}", *lines.position(e.offset)) for e in parsed.errors
        ]
        load_errors += _duplicate_errors(display, lines, parsed.duplicates)
        records = JsonLinesLocator(text, parsed.records, parsed.duplicated)
        return Document(display, kind, text, parsed.data, explicit, _locator=records), load_errors
    if kind in ("yaml", "eval"):
        from toollint.loading.yaml_source import YamlParseError, parse_yaml

        try:
            data, nodes = parse_yaml(text)
        except YamlParseError as exc:
            return None, [LoadError(display, f"invalid YAML: {exc.message}", exc.line, exc.column)]
        document = Document(display, kind, text, data, explicit, _locator=nodes)
        return document, _duplicate_errors(display, document.lines, nodes.duplicates)
    if kind == "python":
        from toollint.loading.python.document import parse_python

        return parse_python(display, text, explicit)
    from toollint.loading.text_source import split_front_matter

    front, error = split_front_matter(text)
    if error is not None:
        return None, [LoadError(display, error.message, error.line, error.column)]
    return Document(display, kind, text, text, explicit, front_matter=front), []


MAX_DUPLICATE_KEYS = 20


def _duplicate_errors(display: str, lines: LineIndex, duplicates: Sequence[DuplicateKey]) -> list[LoadError]:
    """A TL001 at each key given twice in one object (the first few of them).

    Parsers disagree on which value of a duplicate key counts (most keep the last, some the first, some
    refuse the file), so a definition with one is not valid for a tool: a hidden instruction in the second
    `description` must not pass for the harmless first. Findings of the rules point at the last value, the
    one toollint checks."""
    errors = []
    for duplicate in duplicates[:MAX_DUPLICATE_KEYS]:
        first_line, _ = lines.position(duplicate.first)
        message = (
            f"duplicate key `{duplicate.key}` (first at line {first_line}): parsers disagree on which value counts;"
            " toollint checks this last one; keep only one"
        )
        errors.append(LoadError(display, message, *lines.position(duplicate.offset)))
    if len(duplicates) > MAX_DUPLICATE_KEYS:
        last = duplicates[MAX_DUPLICATE_KEYS]
        message = f"{len(duplicates) - MAX_DUPLICATE_KEYS} more duplicate keys from here on; keep only one of each"
        errors.append(LoadError(display, message, *lines.position(last.offset)))
    return errors


def load(
    path: Path, explicit: bool, max_size: int = DEFAULT_MAX_FILE_SIZE, problem: str | None = None
) -> tuple[Document | None, list[LoadError]]:
    """Read and parse one file; `problem` is what discovery already found wrong with the path."""
    display = display_path(path)
    if problem is not None:
        return None, [LoadError(display, problem)]
    kind = kind_of(path.name)
    if kind is None:
        return None, []
    text = read_text(path, display, max_size)
    if isinstance(text, LoadError):
        return None, [text]
    return parse(display, text, kind, explicit)
