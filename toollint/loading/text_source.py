"""Prompt files: optional YAML front matter naming the agent or toolset, then the prompt text."""

from __future__ import annotations

import re
from typing import Any

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$", re.DOTALL | re.MULTILINE)


class FrontMatterError(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def split_front_matter(text: str) -> tuple[dict[str, Any], FrontMatterError | None]:
    match = _FRONT.match(text)
    if not match:
        return {}, None
    from toollint.parse_cache import cached

    front = match.group(1)
    try:
        # front matter seen before comes from the cache, without importing PyYAML
        data = cached("front-matter", front.encode("utf-8"), lambda: _parse_front_matter(front))
    except FrontMatterError as exc:
        return {}, exc
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, FrontMatterError("front matter must be a YAML mapping", 2, 1)
    return data, None


def _parse_front_matter(text: str) -> Any:
    from toollint.loading.yaml_source import YamlParseError, parse_yaml

    try:
        return parse_yaml(text)[0]
    except YamlParseError as exc:
        raise FrontMatterError(f"invalid YAML front matter: {exc.message}", exc.line + 1, exc.column) from None
