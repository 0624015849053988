"""The judgement vocabulary: the verbs, nouns and phrases that rules infer risk and intent from, read from
`rules/vocabulary.yaml` and extended by config (`vocabulary:`) or a rule pack.

Policy, not code: a team whose tools `ship` things adds the verb instead of waiting for a release.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from toollint.parse_cache import cached

VOCABULARY_FILE = "vocabulary.yaml"


class Vocabulary(NamedTuple):
    read_verbs: frozenset[str]
    write_verbs: frozenset[str]
    destructive_verbs: frozenset[str]
    irreversible_verbs: frozenset[str]
    accumulating_verbs: frozenset[str]
    membership_nouns: frozenset[str]
    unique_name_nouns: frozenset[str]
    ambiguous_description_verbs: frozenset[str]
    constructive_verbs: frozenset[str]
    additive_verbs: frozenset[str]
    persists_nouns: frozenset[str]
    authorization_roles: frozenset[str]
    secret_names: frozenset[str]
    # regular expressions, in order, matched case-insensitively; `{role}` stands for any authorization role
    authorization_patterns: tuple[str, ...] = ()
    poisoning_patterns: tuple[str, ...] = ()

    def extended(self, extra: Mapping[str, Any]) -> Vocabulary:
        """This vocabulary with the words of `extra` (list name → words) added; `extra` is validated already."""
        if not extra:
            return self
        grown: dict[str, Any] = {}
        for field, words in self._asdict().items():
            added = extra.get(field.replace("_", "-"), ())
            if field in _PATTERN_FIELDS:
                grown[field] = words + tuple(str(p) for p in added if p not in words)
            else:
                grown[field] = words | frozenset(str(w).lower() for w in added)
        return Vocabulary(**grown)


LIST_NAMES = tuple(name.replace("_", "-") for name in Vocabulary._fields)
# lists of regular expressions rather than words: kept in order and in their case (`\S` is not `\s`)
_PATTERN_FIELDS = frozenset({"authorization_patterns", "poisoning_patterns"})
PATTERN_LISTS = frozenset(field.replace("_", "-") for field in _PATTERN_FIELDS)


class VocabularyError(ValueError):
    """A vocabulary mapping that names an unknown list or holds something other than words."""


def validate(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    """`raw` as list name → words, or a `VocabularyError` that names `where` and the offending key."""
    if not isinstance(raw, dict):
        raise VocabularyError(f"{where}: `vocabulary` must be a mapping of list names to lists of words")
    out: dict[str, tuple[str, ...]] = {}
    for key, words in raw.items():
        if key not in LIST_NAMES:
            raise VocabularyError(
                f"{where}: unknown vocabulary list `{key}` (expected one of {', '.join(f'`{n}`' for n in LIST_NAMES)})"
            )
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            kind = "regular expressions" if key in PATTERN_LISTS else "words"
            raise VocabularyError(f"{where}: `vocabulary.{key}` must be a list of {kind}")
        if key in PATTERN_LISTS:
            for pattern in words:
                try:
                    re.compile(pattern.replace("{role}", "role"))
                except re.error as exc:
                    raise VocabularyError(
                        f"{where}: `vocabulary.{key}` holds `{pattern}`, which is not a regular expression ({exc})"
                    ) from None
            out[key] = tuple(words)
        else:
            out[key] = tuple(w.strip().lower() for w in words)
    return out


def _rules_dir() -> Path:
    # the same two places as the rule catalog: inside the wheel, or the checkout's top-level `rules/`
    packaged = Path(__file__).resolve().parent.parent / "_rules"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent.parent / "rules"


def _parse(path: Path, text: str) -> Any:
    from toollint.loading.yaml_source import parse_yaml

    data, _ = parse_yaml(text)
    return data


@lru_cache(maxsize=4)
def builtin(directory: Path | None = None) -> Vocabulary:
    """The built-in vocabulary, read once per process; its parsed form is cached like the rule catalog's."""
    path = (directory or _rules_dir()) / VOCABULARY_FILE
    blob = path.read_bytes()
    data = cached("vocabulary", blob, lambda: _parse(path, blob.decode("utf-8")))
    lists = validate(data.get("vocabulary") if isinstance(data, dict) else None, str(path))
    missing = [name for name in LIST_NAMES if name not in lists]
    if missing:
        raise VocabularyError(f"{path}: vocabulary list `{missing[0]}` is missing")
    return Vocabulary(
        *(tuple(lists[n]) if n in PATTERN_LISTS else frozenset(lists[n]) for n in LIST_NAMES)  # type: ignore[arg-type]
    )
