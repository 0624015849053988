"""Live MCP servers: the tools a running server lists, as Documents like any file (opt-in; runs user code).

Each tool becomes a JSON document at the stable address `mcp://<server>/tools/<tool>`, holding the tool as the
server sent it, so findings carry that address and a JSON pointer into the tool; the server's
`instructions` become a prompt at `mcp://<server>/instructions`. The official `mcp` SDK (the `toollint[mcp]`
extra) does the talking and is imported only here. Everything that can go wrong with a server — it does not
start, exits, hangs, answers garbage — is a `McpServerError` naming the server, never a traceback or a hang.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from typing import Any, NamedTuple, TextIO
from urllib.parse import quote, urlparse

from toollint.escape import visible_lines
from toollint.loading.document import Document, LoadError, parse

DEFAULT_TIMEOUT = 30.0
_MAX_PAGES = 1000  # a server that hands out cursors forever stops here (the timeout would too, later)
_STDERR_TAIL = 600  # characters of the server's stderr quoted when it fails


class McpServerError(Exception):
    """A server whose tools could not be listed: the message names it and says what to do."""


class Server(NamedTuple):
    """A server as named on the command line: a command to start on stdio, or a URL."""

    label: str
    command: str | None = None
    url: str | None = None

    @property
    def transport(self) -> str:
        if self.command is not None:
            return "stdio"
        path = urlparse(self.url or "").path.rstrip("/")
        return "sse" if path.endswith("/sse") else "http"


class Listing(NamedTuple):
    name: str
    instructions: str | None
    tools: list[dict[str, Any]]


def stdio(command: str) -> Server:
    return Server(command, command=command)


def http(url: str) -> Server:
    return Server(url, url=url)


def load_servers(
    servers: Sequence[Server], timeout: float = DEFAULT_TIMEOUT
) -> list[tuple[Document | None, list[LoadError]]]:
    """Documents for the tools and instructions of every server, in the order given."""
    loaded: list[tuple[Document | None, list[LoadError]]] = []
    names: set[str] = set()
    for server in servers:
        listing = list_server(server, timeout)
        name = _unique(quote(listing.name or "server", safe=""), names)
        loaded += documents(name, listing)
    return loaded


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 1
    while candidate in taken:  # two servers that call themselves the same
        number += 1
        candidate = f"{name}-{number}"
    taken.add(candidate)
    return candidate


def documents(server: str, listing: Listing) -> list[tuple[Document | None, list[LoadError]]]:
    out: list[tuple[Document | None, list[LoadError]]] = []
    if listing.instructions and listing.instructions.strip():
        path = f"mcp://{server}/instructions"
        out.append((Document(path, "text", listing.instructions, listing.instructions, explicit=True), []))
    seen: dict[str, int] = {}
    for tool in listing.tools:
        address = f"mcp://{server}/tools/{quote(str(tool.get('name', '')), safe='')}"
        seen[address] = seen.get(address, 0) + 1
        if seen[address] > 1:  # a duplicate name still gets its own document; TN004 reports it
            address += f"#{seen[address]}"
        out.append(parse(address, json.dumps(tool, indent=2, ensure_ascii=False) + "\n", "json", True))
    return out


def list_server(server: Server, timeout: float = DEFAULT_TIMEOUT) -> Listing:
    """Connect, initialise and list every tool, all within `timeout` seconds."""
    try:
        import anyio
        import mcp  # noqa: F401
    except ImportError:
        raise McpServerError(
            "checking a live MCP server needs the `mcp` package: `pip install 'toollint[mcp]'`"
        ) from None
    _quiet_sdk_logging()
    import tempfile

    noise: list[str] = []  # what the server sent that is not an MCP message
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as errlog:
        try:
            return anyio.run(_fetch, server, timeout, errlog, noise)
        except McpServerError:
            raise
        except TimeoutError:
            message = f"did not answer within {timeout:g} s; check that it serves MCP, or raise `--mcp-timeout`"
            if noise:
                message = (
                    f"did not answer within {timeout:g} s, and sent what is not MCP (`{noise[0]}`); "
                    "a stdio server must keep stdout for the protocol and log to stderr"
                )
            raise McpServerError(_described(server, message, errlog)) from None
        except BaseException as exc:  # the SDK raises what its transports raise, often inside exception groups
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise McpServerError(_described(server, _reason(exc), errlog)) from None


async def _fetch(server: Server, timeout: float, errlog: TextIO, noise: list[str]) -> Listing:
    import anyio

    with anyio.fail_after(timeout):
        if server.command is not None:
            from mcp.client.stdio import StdioServerParameters, stdio_client

            words = _split(server)
            import os

            # the server runs as it would from the user's shell: it may need their environment (keys, PATH)
            parameters = StdioServerParameters(command=words[0], args=words[1:], env=dict(os.environ))
            async with stdio_client(parameters, errlog=errlog) as (read, write):
                return await _session(read, write, noise)
        if server.transport == "sse":
            from mcp.client.sse import sse_client

            async with sse_client(server.url or "", timeout=timeout) as (read, write):
                return await _session(read, write, noise)
        from mcp.client.streamable_http import streamable_http_client

        async with streamable_http_client(server.url or "") as (read, write, _):
            return await _session(read, write, noise)
    raise AssertionError("unreachable")


async def _session(read: Any, write: Any, noise: list[str]) -> Listing:
    from mcp import ClientSession
    from mcp.types import PaginatedRequestParams

    async def note(message: Any) -> None:
        if isinstance(message, Exception):  # a line the SDK could not read as JSON-RPC
            errors = getattr(message, "errors", None)
            first = errors()[0] if callable(errors) and errors() else {}
            noise.append(str(first.get("input", message))[:200])

    async with ClientSession(read, write, message_handler=note) as session:
        initialized = await session.initialize()
        tools: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            page = await session.list_tools(params=PaginatedRequestParams(cursor=cursor) if cursor else None)
            tools += [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in page.tools]
            cursor = page.nextCursor
            if not cursor:
                break
        info = initialized.serverInfo
        return Listing(info.name, initialized.instructions, tools)


def _split(server: Server) -> list[str]:
    try:
        words = shlex.split(server.command or "")
    except ValueError as exc:
        raise McpServerError(f"cannot read the command of MCP server `{server.label}`: {exc}") from None
    if not words:
        raise McpServerError("`--mcp-stdio` needs a command that starts the server, e.g. `python server.py`")
    return words


def _leaves(exc: BaseException) -> list[BaseException]:
    inner = getattr(exc, "exceptions", None)  # an exception group (a builtin only from Python 3.11)
    if isinstance(inner, (list, tuple)) and inner:
        return [leaf for e in inner for leaf in _leaves(e)]
    return [exc]


def _reason(exc: BaseException) -> str:
    leaves = _leaves(exc)
    # the most telling error first: a closed connection or a refused one says more than a cancellation
    leaf = next((e for e in leaves if not _is_cancellation(e)), leaves[0])
    if isinstance(leaf, TimeoutError):
        return "timed out"
    if isinstance(leaf, FileNotFoundError):
        return f"could not be started: {leaf.strerror or leaf} (`{leaf.filename}`)"
    if isinstance(leaf, OSError):
        return f"could not be started: {leaf.strerror or leaf}"
    name = type(leaf).__name__
    if name == "ValidationError":
        first: list[dict[str, Any]] = getattr(leaf, "errors", list)()[:1]
        where = ".".join(str(p) for p in first[0].get("loc", ())) if first else ""
        what = first[0].get("msg", "") if first else str(leaf)
        return f"answered with a malformed result ({where}: {what})" if where else f"answered malformed data: {what}"
    if name == "McpError":
        if "closed" in str(leaf).lower():
            return "closed the connection before listing its tools; did it crash or exit?"
        return f"answered with an error: {leaf}"
    if name in ("ConnectError", "ConnectTimeout"):
        return f"could not be reached: {leaf}"
    if name == "HTTPStatusError":
        return f"answered with an HTTP error: {leaf}"
    text = str(leaf) or name
    return f"failed: {name}: {text}" if text != name else f"failed: {name}"


def _is_cancellation(exc: BaseException) -> bool:
    import asyncio

    return isinstance(exc, asyncio.CancelledError)


def _described(server: Server, reason: str, errlog: TextIO) -> str:
    kind = {"stdio": "MCP server", "http": "MCP server at", "sse": "MCP server (SSE) at"}[server.transport]
    message = f"{kind} `{server.label}` {_printable(reason)}"
    tail = _tail(errlog)
    return f"{message}\n  its stderr ended with:\n    " + tail.replace("\n", "\n    ") if tail else message


def _printable(text: str) -> str:
    """The server's own words, for our stderr: no escape sequences or other controls from it."""
    return visible_lines(text)


def _tail(errlog: TextIO) -> str:
    try:
        errlog.flush()
        errlog.seek(0)
        text = errlog.read()
    except (OSError, ValueError):
        return ""
    return _printable(text.strip()[-_STDERR_TAIL:])


def _quiet_sdk_logging() -> None:
    """The SDK logs a server's garbage with tracebacks through the root logger; the error we raise says enough."""
    import logging

    logger = logging.getLogger("mcp")
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
