"""Comparing two versions of a schema: normalisation, then the change taxonomy mirrored for inputs and outputs.

The direction decides the verdict. The model *sends* inputs, so an input change is safe when every old
value is still accepted (widening); the model and its callers *read* outputs, so an output change is safe
when every new value was already possible (narrowing). Local `$ref`s are inlined, `allOf` members merged
and the three spellings of "nullable" unified first, so that moving a subschema into `$defs` or
reordering properties changes nothing.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from typing import Any, Literal, NamedTuple

from toollint.catalog.schema_walk import MISSING, local_ref_target
from toollint.diagnostics import Pointer

Direction = Literal["input", "output"]
Level = Literal["breaking", "risky", "safe"]

_MAX_DEPTH = 64
_INLINE_BUDGET = 5_000  # normalised nodes made before refs are shared instead of copied
_COMPARE_BUDGET = 5_000  # pairs compared before a pair met again is skipped
_AT = "$at"  # where a normalised node came from, in the document it was read from
_NULLABLE = "$nullable"
_RENAMED = "$renamed_from"  # `x-toollint: {renamed_from: old_name}` on a property
_ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$comment", "deprecated", _AT, _RENAMED})
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")


class Change(NamedTuple):
    """One difference between two versions of a tool, with a stable id and its level."""

    id: str  # kebab-case and stable, e.g. `input-required-property-added`
    level: Level
    code: str  # the TC rule it is reported under
    pointer: Pointer  # where: in the new document, or in the old one for a removed tool
    message: str
    field: str = ""  # dotted path of the field concerned, for linking prompts


# -- normalisation -----------------------------------------------------------------------------------------


def normalise(schema: Any, at: Pointer) -> dict[str, Any]:
    """A copy of `schema` with local refs inlined, `allOf` merged, nullability unified, and origins recorded."""
    return _Normaliser(schema).node(schema, at, 0, frozenset())


class _Normaliser:
    """Inlines refs: exactly (a fresh copy per use, with its own origins) until the copies reach a budget of
    nodes, then by sharing the first copy of each target. A `$defs` chain in which each definition uses the
    next twice doubles at every link; without the budget 2 KB of schema expands to gigabytes."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.made = 0
        self.shared: dict[str, dict[str, Any]] = {}

    def node(self, node: Any, at: Pointer, depth: int, refs: frozenset[str]) -> dict[str, Any]:
        self.made += 1
        if not isinstance(node, dict) or depth > _MAX_DEPTH:
            return {_AT: at} if node is not False else {"not": {}, _AT: at}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in refs:
            target = local_ref_target(self.root, ref)
            if target is not MISSING:
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                merged = self.inline(ref, target, at, depth, refs)
                for key, value in self.node(siblings, at, depth + 1, refs).items():
                    if key != _AT:
                        merged.setdefault(key, value)
                return merged
        out: dict[str, Any] = {_AT: at}
        meta = node.get("x-toollint")
        if isinstance(meta, dict) and isinstance(meta.get("renamed_from"), str):
            out[_RENAMED] = meta["renamed_from"]
        for key, value in node.items():
            if not isinstance(key, str) or key in ("$defs", "definitions", "$ref", "$schema", "$id"):
                continue
            if key.startswith("x-"):
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {
                    name: self.node(sub, at + (key, name), depth + 1, refs)
                    for name, sub in value.items()
                    if isinstance(name, str)
                }
            elif key in ("items", "additionalProperties", "not", "contains") and isinstance(value, dict):
                out[key] = self.node(value, at + (key,), depth + 1, refs)
            elif key in ("anyOf", "oneOf", "allOf", "prefixItems") and isinstance(value, list):
                out[key] = [self.node(sub, at + (key, i), depth + 1, refs) for i, sub in enumerate(value)]
            else:
                out[key] = value
        members = out.pop("allOf", [])
        for member in members if isinstance(members, list) else []:  # a malformed `allOf` merges nothing
            _merge(out, member)
        _unify_nullable(out)
        return out

    def inline(self, ref: str, target: Any, at: Pointer, depth: int, refs: frozenset[str]) -> dict[str, Any]:
        """A normalised copy of a ref's target that the caller may change at its top level."""
        first = self.shared.get(ref)
        if first is not None and self.made > _INLINE_BUDGET:
            return {**first, _AT: at}
        made = self.node(target, at, depth + 1, refs | {ref})
        if first is None:
            self.shared[ref] = {**made}
        return made


def _merge(into: dict[str, Any], member: Any) -> None:
    if not isinstance(member, dict):
        return
    for key, value in member.items():
        if key == _AT:
            continue
        if key == "properties" and isinstance(into.get(key), dict) and isinstance(value, dict):
            into[key] = {**into[key], **{k: v for k, v in value.items() if k not in into[key]}}
        elif key == "required" and isinstance(into.get(key), list) and isinstance(value, list):
            into[key] = [*into[key], *(v for v in value if v not in into[key])]
        else:
            into.setdefault(key, value)


def _unify_nullable(node: dict[str, Any]) -> None:
    kind = node.get("type")
    if isinstance(kind, list) and "null" in kind and len(kind) > 1:
        rest = [k for k in kind if k != "null"]
        node["type"] = rest[0] if len(rest) == 1 else rest
        node[_NULLABLE] = True
    if node.pop("nullable", False) is True:
        node[_NULLABLE] = True
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if not isinstance(branches, list):
            continue
        others = [b for b in branches if not _is_null(b)]
        if len(others) == len(branches):
            continue
        node[_NULLABLE] = True
        if len(others) == 1:
            del node[key]
            for sub_key, value in others[0].items():
                if sub_key != _AT:
                    node.setdefault(sub_key, value)
        else:
            node[key] = others


def _is_null(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and node.get("type") == "null"
        and not (set(node) - {"type", _AT, "title", "description"})
    )


def fingerprint(node: Any, memo: dict[int, tuple[Any, str]] | None = None) -> str:
    """The structure of a normalised schema without annotations or origins: equal for equivalent shapes.

    Each container is printed with its children's prints in place of the children, and each print is kept
    (with the node, so that its id stays taken), so a subschema shared by many refs is printed once."""
    return _print(node, {} if memo is None else memo)


def canonical(value: Any) -> str:
    """`value` as JSON with sorted keys; YAML's mixed key types and Python's huge integers cannot stop it."""
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return json.dumps(_plain(value), sort_keys=True, default=str)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(_scalar(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return _scalar(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _scalar(value: Any) -> str | Any:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 10_000:
        return f"<integer of {value.bit_length()} bits>"
    return value if isinstance(value, (int, float)) else str(value)


def _print(node: Any, memo: dict[int, tuple[Any, str]]) -> str:
    known = memo.get(id(node))
    if known is not None:
        return known[1]
    printed = canonical(_structure(node, memo))
    if len(printed) > 64:
        printed = hashlib.blake2b(printed.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    memo[id(node)] = (node, printed)
    return printed


def _structure(node: Any, memo: dict[int, tuple[Any, str]]) -> Any:
    if isinstance(node, dict):
        out = {k: _child(v, memo) for k, v in node.items() if k not in _ANNOTATIONS}
        if isinstance(node.get("required"), list) and "required" in out:
            out["required"] = sorted(map(str, node["required"]))
        if isinstance(node.get("enum"), list) and "enum" in out:
            out["enum"] = sorted(canonical(v) for v in node["enum"])
        if isinstance(node.get("type"), list) and "type" in out:
            out["type"] = sorted(map(str, node["type"]))
        return out
    if isinstance(node, list):
        return [_child(v, memo) for v in node]
    return node


def _child(value: Any, memo: dict[int, tuple[Any, str]]) -> Any:
    # a nested container is replaced by its print, marked so that no plain string can pass for one
    return ["\u0000print", _print(value, memo)] if isinstance(value, (dict, list)) else value


# -- comparison --------------------------------------------------------------------------------------------


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    if "properties" in node:
        return {"object"}
    if "items" in node:
        return {"array"}
    return set()


def _accepts(kinds: set[str], kind: str) -> bool:
    return not kinds or kind in kinds or (kind == "integer" and "number" in kinds)


def _values(node: dict[str, Any]) -> list[Any] | None:
    if "const" in node:
        return [node["const"]]
    enum = node.get("enum")
    return list(enum) if isinstance(enum, list) else None


def _shown(value: Any) -> str:
    return canonical(value) if not isinstance(value, str) else value


def similar_names(old: str, new: str) -> bool:
    old_l, new_l = old.lower(), new.lower()
    if old_l in new_l or new_l in old_l:
        return True
    tokens_old, tokens_new = set(old_l.replace("-", "_").split("_")), set(new_l.replace("-", "_").split("_"))
    if tokens_old & tokens_new - {""}:
        return True
    return difflib.SequenceMatcher(None, old_l, new_l).ratio() >= 0.6


class Comparer:
    """Walks an old and a new normalised schema of one direction and collects `Change`s."""

    def __init__(self, direction: Direction, tool: str, closed: bool = False) -> None:
        self.direction = direction
        self.tool = tool
        self.closed = closed  # strict tools reject unknown properties even without additionalProperties: false
        self.changes: list[Change] = []
        self._prints: dict[int, tuple[Any, str]] = {}
        # (old, new) pairs compared so far, kept alive so that their ids are not reused
        self._pairs: dict[tuple[int, int], tuple[Any, Any]] = {}
        self._calls = 0

    def print(self, node: Any) -> str:
        return fingerprint(node, self._prints)

    def add(self, change_id: str, level: Level, code: str, node: dict[str, Any], message: str, field: str) -> None:
        self.changes.append(Change(change_id, level, code, node.get(_AT, ()), message, field))

    def label(self, field: str) -> str:
        side = "parameter" if self.direction == "input" else "output field"
        return f"{side} `{field}`" if field else f"the {self.direction}"

    def compare(self, old: dict[str, Any], new: dict[str, Any], field: str = "", depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
            return
        # refs shared by the normaliser meet the same pair again under other names; past the budget each pair
        # is compared once, so every change is still reported, at the first place it occurs
        self._calls += 1
        pair = (id(old), id(new))
        if pair in self._pairs and self._calls > _COMPARE_BUDGET:
            return
        self._pairs.setdefault(pair, (old, new))
        if not self._types(old, new, field):
            return
        self._nullable(old, new, field)
        self._enum(old, new, field)
        self._bounds(old, new, field)
        self._keywords(old, new, field)
        if isinstance(old.get("properties"), dict) or isinstance(new.get("properties"), dict):
            self._properties(old, new, field, depth)
        if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
            self.compare(old["items"], new["items"], f"{field}[]", depth + 1)
        self._branches(old, new, field)
        self._annotations(old, new, field)

    # each returns nothing; `_types` returns whether comparing deeper still makes sense

    def _types(self, old: dict[str, Any], new: dict[str, Any], field: str) -> bool:
        before, after = _types(old), _types(new)
        if before == after:
            return True
        shown = f"from {'/'.join(sorted(before)) or 'any'} to {'/'.join(sorted(after)) or 'any'}"
        if self.direction == "input":
            if before and all(_accepts(after, k) for k in before):
                self.add("input-type-widened", "safe", "TC007", new, f"{self.label(field)} widened {shown}", field)
                return True
            self.add("input-type-changed", "breaking", "TC004", new, f"{self.label(field)} changed {shown}", field)
            return bool(before & after)
        if after and all(_accepts(before, k) for k in after):
            self.add("output-type-narrowed", "safe", "TC014", new, f"{self.label(field)} narrowed {shown}", field)
            return True
        if {"object", "array"} & before and {"object", "array"} & after and not before & after:
            message = f"{self.label(field)} restructured {shown}; examples and readers of the old shape break"
            self.add("output-shape-restructured", "breaking", "TC012", new, message, field)
            return False
        self.add("output-type-changed", "breaking", "TC011", new, f"{self.label(field)} changed {shown}", field)
        return bool(before & after)

    def _nullable(self, old: dict[str, Any], new: dict[str, Any], field: str) -> None:
        before, after = bool(old.get(_NULLABLE)), bool(new.get(_NULLABLE))
        if before == after:
            return
        if self.direction == "input":
            if before:
                message = f"{self.label(field)} no longer accepts null"
                self.add("input-became-not-nullable", "breaking", "TC004", new, message, field)
            else:
                self.add("input-became-nullable", "safe", "TC007", new, f"{self.label(field)} now accepts null", field)
        elif after:
            message = f"{self.label(field)} may now be null; readers that expect a value break"
            self.add("output-became-nullable", "breaking", "TC011", new, message, field)
        else:
            self.add(
                "output-became-not-nullable", "safe", "TC014", new, f"{self.label(field)} is never null now", field
            )

    def _enum(self, old: dict[str, Any], new: dict[str, Any], field: str) -> None:
        before, after = _values(old), _values(new)
        if before == after:
            return
        key = canonical
        old_keys = {key(v): v for v in before or []}
        new_keys = {key(v): v for v in after or []}
        removed = [v for k, v in old_keys.items() if k not in new_keys]
        added = [v for k, v in new_keys.items() if k not in old_keys]
        listed = lambda values: ", ".join(f"`{_shown(v)}`" for v in values[:6])  # noqa: E731
        if self.direction == "input":
            if before is None:
                message = f"{self.label(field)} is now restricted to {listed(after or [])}"
                self.add("input-became-enum", "breaking", "TC005", new, message, field)
            elif after is None:
                self.add(
                    "input-enum-removed", "safe", "TC007", new, f"{self.label(field)} accepts any value now", field
                )
            else:
                if removed:
                    message = f"{self.label(field)} no longer accepts {listed(removed)}"
                    self.add("input-enum-value-removed", "breaking", "TC005", new, message, field)
                if added:
                    message = f"{self.label(field)} accepts {listed(added)} too"
                    self.add("input-enum-value-added", "safe", "TC007", new, message, field)
            return
        if before is None:
            self.add(
                "output-became-enum", "safe", "TC014", new, f"{self.label(field)} is now one of a fixed set", field
            )
        elif after is None:
            message = f"{self.label(field)} is no longer limited to {listed(before)}; readers may see any value"
            self.add("output-enum-removed", "risky", "TC013", new, message, field)
        else:
            if added:
                message = (
                    f"{self.label(field)} may now be {listed(added)}; readers that handle only the old values break"
                )
                self.add("output-enum-value-added", "risky", "TC013", new, message, field)
            if removed:
                message = f"{self.label(field)} is never {listed(removed)} now"
                self.add("output-enum-value-removed", "safe", "TC014", new, message, field)

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], field: str) -> None:
        for key in (*_UPPER, *_LOWER):
            before, after = old.get(key), new.get(key)
            if before == after or not all(isinstance(v, (int, float)) or v is None for v in (before, after)):
                continue
            upper = key in _UPPER
            if before is None:
                tighter: bool | None = None  # newly set
            elif after is None:
                tighter = False
            else:
                tighter = (after < before) if upper else (after > before)
            shown = f"`{key}` {'set to ' + _shown(after) if before is None else _shown(before) + ' → ' + _shown(after)}"
            if self.direction == "input":
                if tighter is None:
                    message = f"{self.label(field)}: {shown}; values the model used to send may now be rejected"
                    self.add("input-constraint-set", "risky", "TC006", new, message, field)
                elif tighter:
                    message = f"{self.label(field)}: {shown} rejects values that were valid"
                    self.add("input-constraint-tightened", "breaking", "TC006", new, message, field)
                else:
                    message = f"{self.label(field)}: {shown if after is not None else f'`{key}` removed'}"
                    self.add("input-constraint-relaxed", "safe", "TC007", new, message, field)
            elif tighter is False:
                message = f"{self.label(field)}: {shown if after is not None else f'`{key}` removed'}; readers may get values they never saw"
                self.add("output-constraint-relaxed", "risky", "TC011", new, message, field)
            else:
                self.add("output-constraint-tightened", "safe", "TC014", new, f"{self.label(field)}: {shown}", field)

    def _keywords(self, old: dict[str, Any], new: dict[str, Any], field: str) -> None:
        for key in ("pattern", "format", "multipleOf"):
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            what = (
                f"`{key}` {_shown(before)} → {_shown(after)}"
                if before and after
                else f"`{key}` {'added' if after else 'removed'}"
            )
            if self.direction == "input":
                if after is None:
                    self.add(
                        f"input-{key.lower()}-removed", "safe", "TC007", new, f"{self.label(field)}: {what}", field
                    )
                elif before is None and key != "format":
                    message = f"{self.label(field)}: {what}; values that were valid may now be rejected"
                    self.add(f"input-{key.lower()}-added", "breaking", "TC006", new, message, field)
                else:
                    message = f"{self.label(field)}: {what}; whether old values still pass cannot be decided statically"
                    self.add(f"input-{key.lower()}-changed", "risky", "TC006", new, message, field)
            elif before is None:
                self.add(f"output-{key.lower()}-added", "safe", "TC014", new, f"{self.label(field)}: {what}", field)
            else:
                self.add(f"output-{key.lower()}-changed", "risky", "TC011", new, f"{self.label(field)}: {what}", field)
        closed_before = old.get("additionalProperties") is False
        closed_after = new.get("additionalProperties") is False
        if closed_before != closed_after and "object" in _types(new):
            if self.direction == "input" and closed_after:
                message = (
                    f"{self.label(field)} now rejects properties it does not declare (`additionalProperties: false`)"
                )
                self.add("input-closed", "breaking", "TC006", new, message, field)
            elif self.direction == "output" and closed_before:
                message = f"{self.label(field)} may now carry properties it does not declare"
                self.add("output-opened", "risky", "TC011", new, message, field)

    def _properties(self, old: dict[str, Any], new: dict[str, Any], field: str, depth: int) -> None:
        before: dict[str, Any] = old.get("properties") if isinstance(old.get("properties"), dict) else {}  # type: ignore[assignment]
        after: dict[str, Any] = new.get("properties") if isinstance(new.get("properties"), dict) else {}  # type: ignore[assignment]
        required_before = (
            {r for r in old.get("required", []) if isinstance(r, str)}
            if isinstance(old.get("required"), list)
            else set()
        )
        required_after = (
            {r for r in new.get("required", []) if isinstance(r, str)}
            if isinstance(new.get("required"), list)
            else set()
        )
        removed = [name for name in before if name not in after]
        added = [name for name in after if name not in before]
        prefix = f"{field}." if field else ""
        container = {**new, _AT: new.get(_AT, ()) + ("properties",)}

        for old_name, new_name in self._renames(before, after, removed, added):
            removed.remove(old_name)
            added.remove(new_name)
            code = "TC003" if self.direction == "input" else "TC010"
            message = f"{self.label(prefix + old_name)} renamed to `{new_name}`; " + (
                "calls and examples that send the old name break"
                if self.direction == "input"
                else "readers and examples of the old name break"
            )
            self.add(
                f"{self.direction}-property-renamed", "breaking", code, after[new_name], message, prefix + old_name
            )

        if self.direction == "output":
            self._collapsed(before, after, removed, added, required_before, container, prefix)

        for name in removed:
            label = self.label(prefix + name)
            if self.direction == "input":
                closed = self.closed or new.get("additionalProperties") is False
                level: Level = "breaking" if closed else "risky"
                why = (
                    "calls that still send it are rejected"
                    if closed
                    else "calls that still send it are silently ignored"
                )
                self.add("input-property-removed", level, "TC003", container, f"{label} removed; {why}", prefix + name)
            elif name in required_before:
                message = f"{label} removed; readers and prompt examples that use it break"
                self.add("output-required-property-removed", "breaking", "TC010", container, message, prefix + name)
            else:
                message = f"{label} (optional) removed; readers that use it break"
                self.add("output-optional-property-removed", "risky", "TC010", container, message, prefix + name)
        for name in added:
            label = self.label(prefix + name)
            if self.direction == "input":
                if name in required_after:
                    message = f"{label} added as required; calls and examples without it fail"
                    self.add("input-required-property-added", "breaking", "TC002", after[name], message, prefix + name)
                else:
                    self.add(
                        "input-optional-property-added",
                        "safe",
                        "TC007",
                        after[name],
                        f"{label} added (optional)",
                        prefix + name,
                    )
            else:
                self.add("output-property-added", "safe", "TC014", after[name], f"{label} added", prefix + name)
        for name in before:
            if name not in after:
                continue
            was, now = name in required_before, name in required_after
            label = self.label(prefix + name)
            if was != now:
                if self.direction == "input" and now:
                    message = f"{label} became required; calls and examples without it fail"
                    self.add("input-property-became-required", "breaking", "TC002", after[name], message, prefix + name)
                elif self.direction == "input":
                    self.add(
                        "input-property-became-optional",
                        "safe",
                        "TC007",
                        after[name],
                        f"{label} became optional",
                        prefix + name,
                    )
                elif now:
                    self.add(
                        "output-property-became-required",
                        "safe",
                        "TC014",
                        after[name],
                        f"{label} is always present now",
                        prefix + name,
                    )
                else:
                    message = f"{label} may now be missing; readers that rely on it break"
                    self.add(
                        "output-property-became-optional", "breaking", "TC010", after[name], message, prefix + name
                    )
            self.compare(before[name], after[name], prefix + name, depth + 1)

    def _renames(
        self, before: dict[str, Any], after: dict[str, Any], removed: list[str], added: list[str]
    ) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        taken: set[str] = set()
        for new_name in added:
            declared = after[new_name].get(_RENAMED)
            for old_name in removed:
                if old_name in taken:
                    continue
                if declared == old_name or (
                    declared is None
                    and self.print(before[old_name]) == self.print(after[new_name])
                    and similar_names(old_name, new_name)
                ):
                    pairs.append((old_name, new_name))
                    taken.add(old_name)
                    break
        return pairs

    def _collapsed(
        self,
        before: dict[str, Any],
        after: dict[str, Any],
        removed: list[str],
        added: list[str],
        required_before: set[str],
        container: dict[str, Any],
        prefix: str,
    ) -> None:
        """Named fields folded into one array (`primary`, `secondary` → `speakers[]`): identity moves into positions."""
        for new_name in list(added):
            items = after[new_name].get("items")
            if "array" not in _types(after[new_name]) or not isinstance(items, dict):
                continue
            shape = self.print(items)
            folded = [name for name in removed if self.print(before[name]) == shape]
            if len(folded) < 2:
                continue
            names = ", ".join(f"`{n}`" for n in folded)
            message = (
                f"the output restructured: {names} collapsed into the array `{prefix}{new_name}`; "
                "what each value means moved from its key into its position, which only prose can explain"
            )
            self.add(
                "output-fields-collapsed-into-array", "breaking", "TC012", after[new_name], message, prefix + new_name
            )
            added.remove(new_name)
            for name in folded:  # the raw removals stay, each naming the new home of its value
                removed.remove(name)
                level: Level = "breaking" if name in required_before else "risky"
                message = f"{self.label(prefix + name)} removed; its value is now an element of `{prefix}{new_name}`"
                self.changes.append(
                    Change(
                        "output-property-moved-into-array",
                        level,
                        "TC010",
                        container.get(_AT, ()),
                        message,
                        prefix + name,
                    )
                )

    def _branches(self, old: dict[str, Any], new: dict[str, Any], field: str) -> None:
        for key in ("anyOf", "oneOf"):
            before: list[Any] = old[key] if isinstance(old.get(key), list) else []
            after: list[Any] = new[key] if isinstance(new.get(key), list) else []
            if not before and not after:
                continue
            old_prints = {self.print(b) for b in before}
            new_prints = {self.print(b) for b in after}
            lost = old_prints - new_prints
            gained = new_prints - old_prints
            if self.direction == "input":
                if lost:
                    message = f"{self.label(field)} no longer accepts {len(lost)} of its `{key}` alternatives"
                    self.add("input-branch-removed", "breaking", "TC004", new, message, field)
                if gained:
                    self.add(
                        "input-branch-added",
                        "safe",
                        "TC007",
                        new,
                        f"{self.label(field)} accepts a new `{key}` alternative",
                        field,
                    )
            else:
                if gained:
                    message = f"{self.label(field)} may now take {len(gained)} new `{key}` shape(s); readers of the old ones may break"
                    self.add("output-branch-added", "breaking", "TC011", new, message, field)
                if lost:
                    self.add(
                        "output-branch-removed",
                        "safe",
                        "TC014",
                        new,
                        f"{self.label(field)} lost a `{key}` alternative",
                        field,
                    )

    def _annotations(self, old: dict[str, Any], new: dict[str, Any], field: str) -> None:
        if not field:
            return
        for key in ("description", "default"):
            if key in old or key in new:
                before, after = old.get(key), new.get(key)
                if before != after:
                    message = f"{self.label(field)}: `{key}` changed"
                    if key == "default":
                        message += (
                            f" from {_shown(before)} to {_shown(after)}; calls that omit it now behave differently"
                        )
                    self.add(f"{self.direction}-{key}-changed", "safe", "TC022", new, message, field)
