"""Regular expressions compiled on first use.

The rules hold about seventy module-level patterns, and compiling them all took a third of the import
time of `toollint check`; a run over a few files uses only the handful whose cheap screens pass.
"""

from __future__ import annotations

import re
from typing import Any, cast

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class _LazyPattern:
    __slots__ = ("_args", "_compiled", *_METHODS)

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        # only reached while an attribute is unset: compile, then bind the methods so that later calls go
        # straight to the compiled pattern's C methods
        if name.startswith("_"):
            raise AttributeError(name)
        if self._compiled is None:
            self._compiled = compiled = re.compile(*self._args)
            for method in _METHODS:
                setattr(self, method, getattr(compiled, method))
        return getattr(self._compiled, name)


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile`, deferred until the pattern is first used. Typed as a pattern; pass it only to its own
    methods, not to `re` functions."""
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))
