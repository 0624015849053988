"""Patterns compiled on first use behave like compiled ones."""

from __future__ import annotations

import re

import pytest

from toollint.lazy_pattern import lazy_compile


def test_a_lazy_pattern_compiles_on_first_use_and_behaves_like_re() -> None:
    pattern = lazy_compile(r"(?P<word>a+)b", re.IGNORECASE)
    assert pattern.search("xxAAb").group("word") == "AA"  # type: ignore[union-attr]
    assert pattern.match("ab") and not pattern.fullmatch("abc")
    assert [m.span() for m in pattern.finditer("ab aab")] == [(0, 2), (3, 6)]
    assert pattern.findall("AB ab") == ["A", "a"]
    assert pattern.sub("-", "ab c") == "- c"
    assert pattern.pattern == r"(?P<word>a+)b" and pattern.groupindex == {"word": 1}


def test_a_broken_pattern_fails_where_it_is_used() -> None:
    pattern = lazy_compile("(")
    with pytest.raises(re.error):
        pattern.search("x")
