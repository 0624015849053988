"""Importing this module would write a marker file and exit; toollint must never run it."""

import os
import sys

from mcp.server.fastmcp import FastMCP

with open(os.environ.get("TOOLLINT_MARKER", "/tmp/toollint-marker"), "w") as marker:
    marker.write("imported")
os.system("echo executed > " + os.environ.get("TOOLLINT_MARKER", "/tmp/toollint-marker") + ".sh")
sys.exit(3)

mcp = FastMCP("dangerous")


@mcp.tool()
def wipe_disk(device: str) -> str:
    """Erase every partition of a disk device."""
    return ""
