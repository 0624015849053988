"""Support tools written with LangChain's `@tool` and `StructuredTool.from_function`."""

from typing import Annotated, Literal, Optional

from langchain_core.tools import InjectedToolArg, StructuredTool, tool
from pydantic import BaseModel, Field


class SearchArgs(BaseModel):
    """Arguments of the search."""

    query: str = Field(description="What to search for", max_length=300)
    top_k: int = Field(5, ge=1, le=20, description="How many results")


@tool
def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
    """Get the current weather for a city."""
    return ""


@tool("send_email", parse_docstring=True)
def send(to: str, subject: str, body: Annotated[str, "The message body"], cc: Optional[list[str]] = None) -> str:
    """Send an email to one recipient.

    Args:
        to: Recipient address.
        subject: Subject line.
        body: Body text.
        cc: Copies.
    """
    return ""


@tool(args_schema=SearchArgs)
def search(query: str, top_k: int = 5) -> list[str]:
    """Search the knowledge base."""
    return []


@tool
def tag_ticket(ticket_id: int, tags: list[str], user_id: Annotated[str, InjectedToolArg]) -> str:
    """Add tags to a ticket.

    Tags are appended.
    """
    return ""


def _lookup(order_id: str, include_items: bool = False) -> dict:
    """Look up an order by id."""
    return {}


lookup_order = StructuredTool.from_function(
    func=_lookup, name="lookup_order", description="Look up an order by its id."
)
