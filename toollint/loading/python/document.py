"""A Python file as a Document: screened with CPython's parser, then read by `tools` with libcst.

Nothing here imports libcst, so a Python file that declares no tool or prompt never loads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from toollint.loading.document import Document, LoadError

# what the extraction looks for; the screen looks for the same things in CPython's tree
PROMPT_NAME = re.compile(r"PROMPT|SYSTEM|INSTRUCTIONS", re.I)  # module constants that hold prompts
PROMPT_KEYWORDS = frozenset({"system", "instructions", "system_prompt"})  # call arguments that hold prompts
TOOL_KEYS = frozenset({"input_schema", "inputSchema", "parameters", "function_declarations", "functionDeclarations"})
TOOL_CALLS = frozenset(
    {"tool", "function_tool", "Tool", "from_function", "ChatCompletionToolParam"}
)  # decorators and calls that declare tools
_MAY_DECLARE = re.compile(r"tool|PROMPT|SYSTEM|INSTRUCTIONS", re.I)  # a text test before any parsing


# The largest real server seen declares 63 tools in 158 KB; generated files far above this would take gigabytes
MAX_READ_WITH_LIBCST = 256 * 1024
# what a file too large to screen must show before it is reported rather than passed over: a tool decorator or
# constructor, a tool schema key, or a prompt constant (the loose test above matches any large module)
_DECLARES = re.compile(
    r"^[ \t]*@[\w.]*tool\b|\bTool\(|\binput_?[sS]chema\b|^[ \t]*[A-Z_]*(?:PROMPT|INSTRUCTIONS)[ \t]*=",
    re.MULTILINE,
)


def parse_python(display: str, text: str, explicit: bool) -> tuple[Document | None, list[LoadError]]:
    """Tools and prompts declared in a Python file, read without importing or running it."""
    may_declare = _MAY_DECLARE.search(text) is not None
    if may_declare and len(text) > MAX_READ_WITH_LIBCST:  # before the screen: CPython's own tree is large too
        if _DECLARES.search(text) is None:
            return Document(display, "python", text, {"tools": [], "literals": [], "prompts": {}}, explicit), []
        size = f"{len(text) / 1024:,.0f} KB"
        message = (
            f"Python source of {size} may declare tools or prompts, but toollint reads Python files of at most "
            f"{MAX_READ_WITH_LIBCST // 1024} KB (libcst takes about 800 bytes of memory per byte of source); "
            "split the file, or declare the tools in JSON or YAML"
        )
        return None, [LoadError(display, message)]
    screened = may_declare and _screen_python(text)
    if isinstance(screened, str):
        return None, [LoadError(display, screened)]
    if not screened:
        return Document(display, "python", text, {"tools": [], "literals": [], "prompts": {}}, explicit), []
    from toollint.loading.python.source import PythonLocator
    from toollint.loading.python.tools import extract

    outcome = _with_large_stack(lambda: _without_gc(lambda: extract(text)))
    if isinstance(outcome, RecursionError):
        return None, [LoadError(display, "Python source nested too deeply to analyse")]
    if isinstance(outcome, BaseException):
        line, column = getattr(outcome, "raw_line", 1), getattr(outcome, "raw_column", 0) + 1
        message = getattr(outcome, "message", str(outcome))
        return None, [LoadError(display, f"invalid Python: {message}", line, column)]
    extraction = outcome
    module = extraction.module
    # one value reached through many pointers (a shared constant) is reported once
    unevaluated = tuple(dict.fromkeys((module.node_span(p.node), p.message) for p in module.problems))
    document = Document(
        display,
        "python",
        text,
        extraction.data,
        explicit,
        _locator=PythonLocator(module),
        opaque=frozenset(module.opaque),
        unevaluated=unevaluated,
        scopes=tuple(extraction.scope_lines()) if "toollint:" in text else (),
    )
    return document, []


def _screen_python(text: str) -> str | bool:
    """Whether libcst needs to read this file (True/False), or why it must not (a message).

    CPython's own parser is ten times faster than libcst's; it refuses nesting that would overflow libcst's
    native stack, and its tree shows cheaply whether the file declares any tool or prompt at all."""
    import ast

    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg):
            return f"Python source nested too deeply to analyse ({exc.msg})"
        return True  # other syntax errors are libcst's to report: it knows newer grammar than this interpreter
    except (RecursionError, MemoryError):
        return "Python source nested too deeply to analyse"
    return any(_declares(node) for node in ast.walk(tree))


def _callee(node: Any) -> str:
    import ast

    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _declares(node: Any) -> bool:
    """A decorator, call, assignment or literal of the kinds `python_tools` extracts."""
    import ast

    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return any(_callee(d) in TOOL_CALLS or _callee(d) == "action" for d in node.decorator_list)
    if isinstance(node, ast.ClassDef):
        return any(_callee(base) == "Tool" for base in node.bases)  # a framework's tool class
    if isinstance(node, ast.Call):
        return _callee(node) in TOOL_CALLS or any((k.arg in PROMPT_KEYWORDS or k.arg == "tools") for k in node.keywords)
    if isinstance(node, ast.Dict):
        return any(
            isinstance(k, ast.Constant) and (k.value in TOOL_KEYS or k.value == "args_schema") for k in node.keys
        )
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Name) and PROMPT_NAME.search(t.id) is not None for t in targets)
    return False


def _without_gc(work: Callable[[], Any]) -> Any:
    """Run `work` with the cyclic garbage collector paused.

    libcst allocates millions of small nodes for a large file and the collector rescans them again and again
    (a third of the time on a 500 kB file); its trees hold no reference cycles, so reference counting frees
    them all the same."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return work()
    finally:
        if was_enabled:
            gc.enable()


def _with_large_stack(work: Callable[[], Any]) -> Any:
    """Run `work` in a thread with a 256 MB stack; return its result or the exception it raised."""
    import threading

    outcome: list[Any] = [RecursionError()]

    def target() -> None:
        try:
            outcome[0] = work()
        except Exception as exc:  # reported as a parse error by the caller
            outcome[0] = exc

    previous = threading.stack_size(256 * 1024 * 1024)
    try:
        thread = threading.Thread(target=target)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    return outcome[0]
