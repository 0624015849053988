"""An order-desk MCP server written with FastMCP, the way most Python MCP servers are."""

from enum import Enum
from typing import Annotated, Literal, Optional

from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

mcp = FastMCP("shop")


class Priority(str, Enum):
    """How urgent."""

    LOW = "low"
    HIGH = "high"


class Address(BaseModel):
    """A postal address."""

    street: str = Field(description="Street and number", max_length=200)
    city: str
    zip: Optional[str] = None


@mcp.tool()
def refund_order(
    order_id: str,
    amount_cents: Annotated[int, Field(ge=1, le=100000, description="Amount")],
    reason: Literal["damaged", "late"] = "late",
    note: Optional[str] = None,
    tags: list[str] = [],
    address: Address | None = None,
) -> str:
    """Refund an order.

    Args:
        order_id: The order to refund.
    """
    return ""


@mcp.tool(
    name="lookup",
    description="Look up a customer by email.",
    annotations=ToolAnnotations(readOnlyHint=True, idempotentHint=True),
)
def find(
    email: str = Field(description="Email", pattern=r"^\S+@\S+$"),
    limit: int = Field(10, ge=1, le=50),
    priority: Priority = Priority.LOW,
) -> dict:
    return {}


@mcp.tool()
def record_shipment(
    weights: dict[str, int],
    box: tuple[int, str],
    labels: set[str] | None = None,
    insurance: float = 1.5,
    fragile: bool = False,
    ship_to: "Address" = None,
) -> None:
    """Record a shipment for the warehouse."""


@mcp.tool(annotations={"destructiveHint": True})
def delete_file(
    path: Annotated[str, Field(min_length=1, max_length=4096)], items: Annotated[list[int], Field(max_length=5)]
) -> list[str]:
    """Delete a file permanently."""
    return []


@mcp.tool()
def update_ticket(
    ticket: int | str,
    priority: Optional[Priority] = None,
    level: Literal[1, 2, 3] = 1,
    channel: Literal["email"] = "email",
    addresses: Optional[list[Address]] = None,
) -> int:
    """Update fields of a support ticket and return its new revision number."""
    return 1


TICKET_FIELD = Field(description="Ticket number, like 4711", ge=1)


@mcp.tool(annotations={"readOnlyHint": True})
def get_ticket(ticket: Annotated[int, TICKET_FIELD], related: Annotated[int, TICKET_FIELD] = 0) -> str:
    """Return one support ticket as JSON."""
    return ""
