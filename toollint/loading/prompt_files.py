"""Which text files met in a folder walk are prompts: text written to the model, not to people (DESIGN §1).

A `.md`/`.txt`/`.prompt`/`.j2` file is a prompt when config says so, when its front matter names an agent, or
when its text addresses the model with second-person instructions. READMEs, changelogs, `docs/`, API
reference pages, tutorials, instructions for coding assistants and code-generation templates are not, unless
configured. A file named explicitly on the command line is always checked; this module judges the others.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePosixPath
from typing import Any

from toollint.lazy_pattern import lazy_compile

# vocabulary: file names of project documentation, written for people
DOCUMENTATION_NAMES = (
    "README*",
    "CHANGELOG*",
    "CHANGES*",
    "HISTORY*",
    "CONTRIBUTING*",
    "LICENSE*",
    "LICENCE*",
    "NOTICE*",
    "CODE_OF_CONDUCT*",
    "SECURITY*",
    "SUPPORT*",
    "MIGRATION*",
    "UPGRADING*",
    "llms.txt",
    "llms-full.txt",
    "requirements*.txt",
    "constraints*.txt",
)
# vocabulary: instruction files of coding assistants; their tools are the assistant's, not this project's
ASSISTANT_NAMES = ("AGENTS.md", "CLAUDE.md", "GEMINI.md", "SKILL.md", "copilot-instructions.md", ".cursorrules")
# vocabulary: folders that hold documentation and templates for people or for code generation
DOCUMENTATION_FOLDERS = frozenset(
    {"docs", "doc", "documentation", "_overrides", "site", "wiki", "tutorials", "tutorial", "guides", "api-reference"}
)
# vocabulary: how text addresses the model — an identity, the tools it has, its task, or a rule for it
ADDRESS_PHRASES = (
    r"\byou\s+are\s+(?:a|an|the)\b",
    r"\byou\s+are\s+(?:now\s+)?(?:acting|working|helping|tasked|given|responsible|an?\s+expert)\b",
    r"\byou\s+have\s+(?:access\s+to|been\s+given|the\s+following)\b",
    r"\byour\s+(?:task|job|goal|role|objective|mission|purpose)\s+is\b",
    r"\byou\s+(?:will\s+be\s+given|will\s+receive|can\s+call|may\s+call|must\s+call)\b",
    r"\bas\s+an?\s+(?:ai|assistant|agent|language\s+model)\b",
    r"\b(?:respond|reply|answer)\s+(?:only\s+)?(?:in|with)\b",
    r"(?:^|[.!?]\s+)(?:use|call|invoke)\s+(?:the\s+)?`",
)
# vocabulary: rules addressed to someone, at the start of a line, item or sentence ("Never ...", "Please ...")
RULE_OPENERS = (
    r"never",
    r"always",
    r"do\s+not",
    r"don'?t",
    r"you\s+(?:must|should|will|may)",
    r"make\s+sure",
    r"use\s+the\s+`",
    r"call\s+(?:the\s+)?`",
    r"only\s+(?:use|call|answer|respond)",
    r"if\s+the\s+user",
    r"when\s+the\s+user",
    r"please",
    r"ensure",
    r"remember",
)
_ADDRESS = lazy_compile("|".join(ADDRESS_PHRASES), re.IGNORECASE | re.MULTILINE)
_IDENTITY = lazy_compile("|".join(ADDRESS_PHRASES[:4]), re.IGNORECASE)  # "You are a…", "Your task is…"
_RULE = lazy_compile(r"(?:^|[.!?]\s+|^[ \t]*(?:[-*+]|\d+[.)])[ \t]+)(?:" + "|".join(RULE_OPENERS) + r")\b", re.I | re.M)
_FENCED = lazy_compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.DOTALL | re.MULTILINE)
# vocabulary: marks of documentation for people: web links, install and run commands
DOC_MARKERS = (
    r"\]\(https?://",
    r"\bpip\s+install\b",
    r"\buv\s+(?:sync|add|run)\b",
    r"\bnpm\s+install\b",
    r"\bgit\s+clone\b",
)
_DOC_MARKERS = lazy_compile("|".join(DOC_MARKERS), re.IGNORECASE)
_PRONOUN = lazy_compile(r"\byou(?:r|rs|rself)?\b", re.IGNORECASE)
_TEMPLATE_CODE = lazy_compile(r"\{%|\{\{")
DOCUMENTATION_REASON = "project documentation (named like a README, changelog or licence)"
SCANNED = 20_000  # characters read to decide; a prompt says what it is near the top


def is_documentation(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in DOCUMENTATION_NAMES)


def not_a_prompt(relative: str, text: str, front_matter: dict[str, Any]) -> str | None:
    """Why a text file met in a folder walk is not a prompt, or None when it is one.

    `relative` is the path from the project root, in POSIX form."""
    if isinstance(front_matter.get("agent"), str):
        return None
    path = PurePosixPath(relative)
    if is_documentation(path.name):
        return DOCUMENTATION_REASON
    if path.name in ASSISTANT_NAMES or any(part in (".claude", ".cursor", ".github") for part in path.parts[:-1]):
        return "instructions for a coding assistant, whose tools are not declared in this project"
    folders = {part.lower() for part in path.parts[:-1]}
    if folders & DOCUMENTATION_FOLDERS:
        return f"documentation (under `{sorted(folders & DOCUMENTATION_FOLDERS)[0]}/`)"
    prose = _FENCED.sub("", text[:SCANNED])
    if len(_DOC_MARKERS.findall(prose)) >= 3 and not _IDENTITY.search(prose):
        return "reads like documentation (links, install commands), and gives no model an identity or a task"
    if _ADDRESS.search(prose):
        return None
    rules = len(_RULE.findall(prose))
    pronouns = len(_PRONOUN.findall(prose))
    if rules >= 2 or (rules and pronouns) or pronouns >= 3 or (rules and len(prose) < 2_000):
        return None  # rules for someone, or text spoken to someone; a short one with one rule is a prompt too
    if path.suffix.lower() in (".j2", ".jinja", ".jinja2") and _TEMPLATE_CODE.search(text):
        return 'a template that does not address the model (no "You are…", "You have access to…", "Never…")'
    return 'its text does not address the model (no "You are…", "You have access to…", "Never…")'
