"""What a rule is and what its check may know: the spec read from `rules/`, and the context a check runs in.

Both the engine and the checks use these, so they live here, below the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from toollint.diagnostics import Severity

if TYPE_CHECKING:
    from toollint.catalog.model import Agent, Tool
    from toollint.catalog.risk import RiskProfile
    from toollint.catalog.vocabulary import Vocabulary


class OptionSpec(NamedTuple):
    name: str
    type: str
    default: Any
    description: str


class Example(NamedTuple):
    file: str
    source: str
    options: Mapping[str, Any]
    lines: tuple[int, ...] = ()  # for bad examples: lines where the rule must fire (optional)
    context: tuple[tuple[str, str], ...] = ()  # other files checked with it, such as the tools a prompt uses
    before: str | None = None  # change rules: the previous version of `before_file`, diffed against the files
    before_file: str | None = None

    def files(self) -> list[tuple[str, str]]:
        return [*self.context, (self.file, self.source)]


class RuleSpec(NamedTuple):
    code: str
    name: str
    severity: Severity
    target: str
    summary: str
    what: str
    why: str
    origin: str
    check: str | None = None
    then: Mapping[str, Any] | None = None
    message: str | None = None
    options: tuple[OptionSpec, ...] = ()
    bad: tuple[Example, ...] = ()
    good: tuple[Example, ...] = ()
    known_problems: str | None = None
    write_severity: Severity | None = None  # findings on write and destructive tools are raised to this

    def default_options(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}


class RuleContext(NamedTuple):
    """What a check may know besides its subject: its options, the provider targets, the enclosing tool/agent, and
    the judgement vocabulary (None: the built-in one, unextended).

    A named tuple because one is made per tool for every parameter rule."""

    options: Mapping[str, Any]
    targets: tuple[str, ...]
    tool: Tool | None = None
    agent: Agent | None = None
    vocabulary: Vocabulary | None = None

    @property
    def words(self) -> Vocabulary:
        """The vocabulary in force: the built-in lists plus what config and rule packs added."""
        from toollint.catalog.vocabulary import builtin

        return self.vocabulary or builtin()

    def risk(self, tool: Tool) -> RiskProfile:
        """`tool`'s risk profile read with the vocabulary in force; the tool's own cached one when unextended."""
        if self.vocabulary is None or tool.vocabulary is self.vocabulary:
            return tool.risk  # type: ignore[no-any-return]
        from toollint.catalog.risk import profile

        return profile(tool, self.vocabulary)
