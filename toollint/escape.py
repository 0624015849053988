"""Text from checked files made safe to print: every renderer and message passes names, excerpts and paths here.

A hostile tool definition must neither drive the terminal (ESC, OSC links, BEL, a bidi override that reverses
what is read) nor forge CI output (a newline followed by `::error`, `::add-mask::` or `::stop-commands::` in a
GitHub log, a backtick that closes a markdown code span). So every control character (C0, DEL, C1), every
invisible format character (bidi marks, overrides and isolates, zero-width characters, Unicode tags), line and
paragraph separators and lone surrogates are shown as Python-style escapes (`\\n`, `\\x1b`, `\\u202e`), and the
two GitHub command openings a line of our output could otherwise carry are neutralised: `::` at the start of a
field (the runner trims leading spaces, then looks for `::`) and `##[` anywhere (the legacy form, matched
anywhere in a line). JSON keeps its values: the same characters become `\\u` escapes, which decode to them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from toollint.lazy_pattern import lazy_compile

# Unicode categories Cc, Cf, Cs, Zl and Zp, and the noncharacters U+FFFE/U+FFFF that XML cannot carry
_C0 = "\x00-\x1f"
_UNSAFE_ABOVE_C0 = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\ufffe\uffff\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_HAZARD = lazy_compile(f"[{_C0}{_UNSAFE_ABOVE_C0}]|(?<=##)\\[")
# inside JSON text, C0 characters are either escaped by the encoder or the indentation's own whitespace
_JSON_HAZARD = lazy_compile(f"[{_UNSAFE_ABOVE_C0}]|(?<=##)\\[")
_LEADING_COMMAND = lazy_compile(r"^(\s*):(?=:)")
_BACKSLASH_BEFORE_PIPE = lazy_compile(r"\\(?=\|)")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape(text: str) -> str:
    """Every unsafe character as an escape; a field that never starts a line (a source excerpt) needs no more."""
    if text.isprintable() and "##[" not in text:  # the common case, decided in C
        return text
    return _HAZARD.sub(_escaped, text)


def visible(text: str) -> str:
    """A field of a line-oriented report: one line, nothing the terminal or a CI log would act on."""
    text = escape(text)
    if text.lstrip().startswith("::"):
        text = _LEADING_COMMAND.sub(r"\1\\x3a", text, count=1)
    return text


def visible_lines(text: str) -> str:
    """A block whose line breaks are meant (a rule pack's example): each line made visible on its own."""
    return "\n".join(visible(line) for line in text.replace("\r\n", "\n").split("\n"))


def _json_escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_safe(encoded: str) -> str:
    """JSON text from an encoder with `ensure_ascii=False`, with the same values and nothing unsafe left raw."""
    # `isprintable` is false for every unsafe character (and for a few harmless ones, such as U+00A0), and runs
    # at C speed over megabytes of findings; only lines that fail it go through the regular expression
    if "##[" not in encoded and encoded.replace("\n", " ").isprintable():
        return encoded
    return "\n".join(
        line if line.isprintable() and "##[" not in line else _JSON_HAZARD.sub(_json_escaped, line)
        for line in encoded.split("\n")
    )


def to_json(value: Any, indent: int | None = None) -> str:
    return json_safe(json.dumps(value, ensure_ascii=False, indent=indent))


def github_data(text: str) -> str:
    """The message of a workflow command (after the second `::`), escaped as the Actions runner unescapes it."""
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property value of a workflow command (`file=`, `title=`): also `:` and `,`, which end a value."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


# anything but words and plain punctuation could be markup: a link, an image, a mention, HTML, emphasis, math
_MARKUP = lazy_compile(r"[^\w\s,;:.'\"()=+%?!/-]|_|://|www\.", re.IGNORECASE)


def md_code(text: str, table: bool = False) -> str:
    """A code span that no backtick in `text` can close: the fence is longer than any run of backticks inside."""
    text = visible(text)
    fence = "`"
    if "`" in text:
        fence = "`" * (max(len(run) for run in re.findall("`+", text)) + 1)
    if not text or text[0] in "` " or text[-1] in "` ":
        text = f" {text} "  # CommonMark strips one space on each side, so a backtick at an end stays content
    if table and "|" in text:
        # tables split cells before code spans are parsed: `\|` keeps a pipe in its cell, and a backslash of the
        # text right before it is shown escaped, so that it cannot pair with ours and free the pipe
        text = _BACKSLASH_BEFORE_PIPE.sub(r"\\x5c", text).replace("|", "\\|")
    return f"{fence}{text}{fence}"


def md_text(text: str, table: bool = False) -> str:
    """A finding's message: its backticked names stay code spans; prose that could be markup becomes one too.

    A name holding a backtick shifts which parts are code, but every part is either a code span or plain words,
    so nothing from a checked file becomes a live link, image, mention or HTML.
    """
    parts = visible(text).split("`")
    return "".join(
        md_code(part, table) if index % 2 or _MARKUP.search(part) else part for index, part in enumerate(parts) if part
    )
