"""Changes between two toolsets, linked to the prompts that use them, as TC diagnostics.

Tools are matched by name; a removed and an added tool with the same input schema and a similar name (or
`x-toollint.renamed_from`) are a rename. Each change keeps its level (breaking / risky / safe → error /
warning / info); a prompt that still names a removed tool, reads a removed field or shows a worked example
that only the old version accepts turns the change into an error at the prompt's own line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from toollint.catalog.extract import tools_of
from toollint.catalog.model import Catalog, Prompt, Tool
from toollint.catalog.schema_walk import MISSING, local_ref_target
from toollint.diagnostics import Anchor, Diagnostic, Severity, Violation
from toollint.diff.schemas import Change, Comparer, fingerprint, normalise, similar_names
from toollint.engine.config import Settings
from toollint.engine.run import Collector, Extra, Loaded
from toollint.loading.document import Document

LEVEL_SEVERITY: dict[str, Severity] = {"breaking": Severity.ERROR, "risky": Severity.WARNING, "safe": Severity.INFO}


class Located(NamedTuple):
    """A change with the tool it belongs to and the file it is reported in (offsets: inside a prompt)."""

    change: Change
    path: str
    tool: str
    offsets: tuple[int, int] | None = None


def _by_name(tools: Iterable[Tool]) -> dict[str, Tool]:
    named: dict[str, Tool] = {}
    for tool in tools:
        if isinstance(tool.name, str):
            named.setdefault(tool.name, tool)
    return named


def _renamed_from(tool: Tool) -> str | None:
    meta = tool.spec.get("x-toollint")
    value = meta.get("renamed_from") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else None


def _input_print(tool: Tool) -> str:
    return fingerprint(normalise(tool.input_schema, ()))


def compare_tools(old: Tool, new: Tool) -> list[Change]:
    name = str(new.name)
    changes: list[Change] = []
    strict = new.spec.get("strict") is True
    inputs = Comparer("input", name, closed=strict)
    inputs.compare(normalise(old.input_schema, old.input_pointer), normalise(new.input_schema, new.input_pointer))
    changes += inputs.changes
    old_output, new_output = old.output_schema, new.output_schema
    if isinstance(old_output, dict) and isinstance(new_output, dict):
        outputs = Comparer("output", name)
        outputs.compare(
            normalise(old_output, old.output_pointer or ()), normalise(new_output, new.output_pointer or ())
        )
        changes += outputs.changes
    elif isinstance(old_output, dict):
        message = "no longer declares its output schema; readers lose the contract they were written against"
        changes.append(Change("output-schema-removed", "risky", "TC010", new.pointer, message))
    elif isinstance(new_output, dict):
        message = "now declares an output schema"
        changes.append(Change("output-schema-added", "safe", "TC014", new.output_pointer or new.pointer, message))
    if old.description != new.description:
        message = "the description changed; the model chooses tools and fills arguments from it"
        changes.append(Change("tool-description-changed", "safe", "TC022", new.at("description"), message))
    for key in ("annotations", "x-toollint"):
        before, after = old.spec.get(key), new.spec.get(key)
        if key == "x-toollint":
            before, after = _without_ignores(before), _without_ignores(after)
        if before != after:
            message = f"`{key}` changed: {_summary(before)} → {_summary(after)}"
            changes.append(Change(f"tool-{key.removeprefix('x-')}-changed", "safe", "TC022", new.at(key), message))
    return changes


def _without_ignores(meta: Any) -> Any:
    return {k: v for k, v in meta.items() if k not in ("ignore", "renamed_from")} if isinstance(meta, dict) else meta


def _summary(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in list(value.items())[:5]) + "}"
    return "none" if value is None else str(value)


def toolset_changes(old_tools: Iterable[Tool], new_tools: Iterable[Tool]) -> list[Located]:
    old, new = _by_name(old_tools), _by_name(new_tools)
    found: list[Located] = []
    removed = [n for n in old if n not in new]
    added = [n for n in new if n not in old]
    renames: dict[str, str] = {}
    for new_name in added:
        declared = _renamed_from(new[new_name])
        candidates = [declared] if declared in removed else []
        if not candidates and declared is None:
            shape = _input_print(new[new_name])
            candidates = [
                o for o in removed if o not in renames and similar_names(o, new_name) and _input_print(old[o]) == shape
            ]
        if candidates:
            renames[candidates[0]] = new_name
    for name in removed:
        if name in renames:
            target = new[renames[name]]
            message = f"renamed to `{target.name}`; prompts, examples and histories that call `{name}` break"
            change = Change("tool-renamed", "breaking", "TC001", target.at("name"), message)
            found.append(Located(change, target.path, name))
            found += [Located(c, target.path, str(target.name)) for c in compare_tools(old[name], target)]
            continue
        message = "tool removed; prompts, examples and histories that call it break"
        home = _home(old[name].path, new.values())
        found.append(Located(Change("tool-removed", "breaking", "TC001", (), message), home, name))
    for name in added:
        if name in renames.values():
            continue
        tool = new[name]
        found.append(Located(Change("tool-added", "safe", "TC023", tool.at("name"), "tool added"), tool.path, name))
    for name, tool in new.items():
        if name in old and old[name].spec != tool.spec:  # most tools of a diff are untouched
            found += [Located(c, tool.path, name) for c in compare_tools(old[name], tool)]
    return found


def _home(old_path: str, new_tools: Iterable[Tool]) -> str:
    """The file in the checkout where a removed tool is reported, so CI annotations attach to a file that exists:
    the same file if it is still there (`HEAD~1:tools.json` → `tools.json`), else the new toolset's file that
    shares the longest folder prefix with it."""
    path = old_path.partition(":")[2] or old_path
    paths = {tool.path for tool in new_tools}
    if path in paths or not paths:
        return path
    return max(sorted(paths), key=lambda candidate: _shared_folders(path, candidate))


def _shared_folders(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a.split("/")[:-1], b.split("/")[:-1], strict=False):
        if x != y:
            break
        count += 1
    return count


# -- linking prompts ----------------------------------------------------------------------------------------


def _mentions(prompt: Prompt, word: str) -> Iterator[int]:
    """Offsets where a prompt names `word` as a tool or field: in backticks, as a JSON key or a call."""
    pattern = re.compile(rf"`{re.escape(word)}(?:\(\))?`|\"{re.escape(word)}\"\s*:|(?<![\w.]){re.escape(word)}\(")
    for match in pattern.finditer(prompt.text):
        yield match.start() + (1 if match.group(0)[0] in '`"' else 0)


def link_prompts(changes: list[Located], old_tools: Iterable[Tool], new_catalog: Catalog) -> list[Located]:
    """Raise changes that prompts depend on, and add TC020 where a worked example only fits the old version."""
    from toollint.checks.prompts import call_problems, example_calls, response_examples, response_problems

    old = _by_name(old_tools)
    new = _by_name(new_catalog.tools)
    linked: list[Located] = []
    for located in changes:
        change = located.change
        if change.id in ("tool-removed", "tool-renamed"):
            for prompt in new_catalog.prompts:
                offset = next(_mentions(prompt, located.tool), None)
                if offset is not None:
                    message = f"{change.message}; this prompt still names `{located.tool}`"
                    moved = change._replace(level="breaking", pointer=prompt.pointer, message=message)
                    linked.append(Located(moved, prompt.path, located.tool, (offset, offset + len(located.tool))))
                    linked.append(Located(change._replace(level="breaking"), located.path, located.tool))
                    break
            else:
                linked.append(located)
            continue
        if change.id == "output-optional-property-removed":
            key = change.field.rsplit(".", 1)[-1]
            if any(next(_mentions(p, key), None) is not None for p in new_catalog.prompts):
                message = f"{change.message}, and a prompt still reads `{key}`"
                linked.append(Located(change._replace(level="breaking", message=message), located.path, located.tool))
                continue
        linked.append(located)

    changed = {c.tool for c in changes if c.change.level != "safe" and c.tool in old and c.tool in new}
    for agent in new_catalog.agents:
        tools = agent.tools_by_name
        for prompt in agent.prompts:
            for call in example_calls(prompt):
                if call.name in changed and call.name in tools:
                    linked += _stale(
                        prompt,
                        call.name,
                        call_problems(call, old[call.name].input_schema),
                        call_problems(call, tools[call.name].input_schema),
                    )
            for block, tool in response_examples(prompt, tools):
                if tool.name in changed:
                    before = response_problems(block, str(tool.name), old[str(tool.name)].output_schema)
                    after = response_problems(block, str(tool.name), tool.output_schema)
                    linked += _stale(prompt, str(tool.name), before, after)
    return linked


def _stale(
    prompt: Prompt, tool: str, before: Iterable[tuple[int, int, str]], after: Iterable[tuple[int, int, str]]
) -> list[Located]:
    if any(True for _ in before):
        return []  # it did not fit the old version either: TP005 / TP006 report it
    first = next(iter(after), None)
    if first is None:
        return []
    start, end, problem = first
    message = f"this worked example fits the previous version of the tool but not the current one: {problem}"
    change = Change("prompt-example-stale", "breaking", "TC020", prompt.pointer, message)
    return [Located(change, prompt.path, tool, (start, max(end, start + 1)))]


# -- diagnostics --------------------------------------------------------------------------------------------


def to_diagnostics(
    changes: list[Located],
    settings: Settings,
    documents: dict[str, Document],
    old_tools: Iterable[Tool] = (),
    new_tools: Iterable[Tool] = (),
) -> list[Diagnostic]:
    """Each change as a diagnostic whose severity is its level, unless the config sets one for the rule; each
    carries the change's facts as `data` (kind, level, tool, field, old and new value) for machine formats."""
    book = settings.rulebook
    collector = Collector(settings, documents)
    old, new = _by_name(old_tools), _by_name(new_tools)
    facts: list[dict[str, Any]] = []
    for located in changes:
        change = located.change
        rule = book.by_code.get(change.code)
        if rule is None:
            continue
        anchor: Anchor = "value" if change.pointer[-1:] == ("name",) else "key"
        message = f"`{located.tool}`: {change.message} ({change.id})"
        violation = Violation(change.pointer, message, offsets=located.offsets, anchor=anchor)
        collector.add(rule, violation, located.path, severity=LEVEL_SEVERITY[change.level])
        facts.append(change_data(located, old, new))
    # `resolve` makes one diagnostic per violation added, in order
    return [d._replace(data=data) for d, data in zip(collector.resolve(), facts, strict=True)]


def change_data(located: Located, old: dict[str, Tool], new: dict[str, Tool]) -> dict[str, Any]:
    """What changed, for programs: the change's id and level, the tool, the field and its values before and after."""
    change = located.change
    before, after = _values(located, old.get(located.tool), new.get(located.tool), new)
    return {
        "kind": change.id,
        "level": change.level,
        "tool": located.tool,
        "field": change.field or None,
        "old": _plain(before),
        "new": _plain(after),
    }


def _values(located: Located, old: Tool | None, new: Tool | None, new_tools: dict[str, Tool]) -> tuple[Any, Any]:
    kind = located.change.id
    if kind == "tool-removed":
        return located.tool, None
    if kind == "tool-added":
        return None, located.tool
    if kind == "tool-renamed":
        pointer = located.change.pointer
        target = next((t for t in new_tools.values() if t.path == located.path and t.at("name") == pointer), None)
        return located.tool, target.name if target is not None else None
    if kind == "prompt-example-stale" or old is None or new is None:
        return None, None
    if kind == "tool-description-changed":
        return old.description, new.description
    if kind in ("tool-annotations-changed", "tool-toollint-changed"):
        key = "annotations" if kind == "tool-annotations-changed" else "x-toollint"
        return _without_ignores(old.spec.get(key)), _without_ignores(new.spec.get(key))
    if kind.startswith("output-"):
        return _field(old.output_schema, located.change.field), _field(new.output_schema, located.change.field)
    return _field(old.input_schema, located.change.field), _field(new.input_schema, located.change.field)


def _field(schema: Any, field: str) -> Any:
    """The subschema of a dotted field (`address.city`, `tags[].key`) in a raw schema; None where it is not."""
    node = schema
    for part in field.split(".") if field else ():
        name = part.rstrip("[]") if part.endswith("[]") else part
        node = _through_ref(node, schema)
        properties = node.get("properties") if isinstance(node, dict) else None
        if name:
            if not isinstance(properties, dict) or name not in properties:
                return None
            node = properties[name]
        for _ in range((len(part) - len(name)) // 2):
            node = _through_ref(node, schema)
            node = node.get("items") if isinstance(node, dict) else None
    return node


def _through_ref(node: Any, root: Any) -> Any:
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str):
        target = local_ref_target(root, ref)
        return None if target is MISSING else target
    return node


def _plain(value: Any) -> Any:
    """JSON values only: YAML may hold dates, and a value must survive any output format."""
    try:
        return json.loads(json.dumps(value, ensure_ascii=False, default=str))
    except (ValueError, RecursionError):  # a YAML alias can make a value contain itself
        return None


def change_diagnostics(
    old_loaded: Loaded, catalog: Catalog, documents: dict[str, Document], settings: Settings
) -> list[Diagnostic]:
    """TC diagnostics of the checked toolset against an older version of it."""
    old_tools, old_documents = tools_of(old_loaded)
    changes = link_prompts(toolset_changes(old_tools, catalog.tools), old_tools, catalog)
    return to_diagnostics(changes, settings, {**old_documents, **documents}, old_tools, catalog.tools)


def against(old_loaded: Loaded) -> Extra:
    """The `check --base` extra: changes of the checked files since `old_loaded`."""
    return lambda catalog, documents, settings: change_diagnostics(old_loaded, catalog, documents, settings)
