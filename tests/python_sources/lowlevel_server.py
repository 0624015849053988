"""A low-level MCP server and an Anthropic client loop, both declaring tools as literals."""

import anthropic
import mcp.types as types
from mcp.server.lowlevel import Server

server = Server("files")

SYSTEM_PROMPT = """You manage the user's files.
Before deleting anything, call `list_files` first, then call `delete_file`."""


@server.list_tools()
async def list_tools() -> list[types.Tool]:
    return [
        types.Tool(
            name="list_files",
            description="List the files in a folder, newest first. Returns names and sizes in bytes.",
            inputSchema={
                "type": "object",
                "properties": {"folder": {"type": "string", "description": "Folder to list", "maxLength": 512}},
                "required": ["folder"],
            },
            annotations=types.ToolAnnotations(readOnlyHint=True),
        ),
        types.Tool(
            name="remove_file",
            description="Delete a file.",
            inputSchema={
                "type": "object",
                "properties": {"path": {"type": "string"}},
                "required": ["path", "force"],
            },
        ),
    ]


TOOLS = [
    {
        "name": "get_weather",
        "description": "Get the current weather for a city. Returns the temperature and conditions.",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "City name", "maxLength": 100}},
            "required": ["city"],
        },
    }
]


def ask(question: str) -> str:
    client = anthropic.Anthropic()
    reply = client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=SYSTEM_PROMPT,
        tools=TOOLS,
        messages=[{"role": "user", "content": question}],
    )
    return str(reply)
