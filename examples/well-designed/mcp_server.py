"""The same five tools as a FastMCP server: toollint reads them from the decorators without running this file."""

from typing import Annotated, Literal

from mcp.server.fastmcp import FastMCP
from pydantic import Field

mcp = FastMCP("orders")


@mcp.tool(
    title="Get order",
    annotations={"readOnlyHint": True, "openWorldHint": False},
)
def get_order(
    order_id: Annotated[str, Field(pattern=r"^ORD-[0-9]{8}$", description="Order id, like ORD-20240117.")],
) -> str:
    """Return one order by its id: status, line items, totals and shipping address. Use when the customer
    asks about a specific order; to find orders by customer, use search_orders instead."""
    return ""


@mcp.tool(
    title="Search orders",
    annotations={"readOnlyHint": True, "openWorldHint": False},
)
def search_orders(
    customer_id: Annotated[str, Field(pattern=r"^C[0-9]{6}$", description="Customer id, like C000123.")],
    order_status: Annotated[
        Literal["open", "shipped", "delivered", "cancelled"] | None, Field(description="Only orders in this status.")
    ] = None,
    limit: Annotated[int, Field(ge=1, le=50, description="Most orders to return.")] = 10,
) -> str:
    """List a customer's orders, newest first, optionally filtered by status. Returns at most `limit` orders
    with id, date, status and total. Use to find an order when the customer does not know its id."""
    return ""


@mcp.tool(
    title="Refund order",
    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True, "openWorldHint": True},
)
def refund_order(
    order_id: Annotated[str, Field(pattern=r"^ORD-[0-9]{8}$", description="Order to refund.")],
    amount_cents: Annotated[int, Field(ge=1, le=500000, description="Amount to refund in cents, at most the total.")],
    reason: Annotated[
        Literal["damaged", "late", "wrong_item", "other"], Field(description="Why the order is refunded.")
    ],
) -> str:
    """Refund part or all of an order to the original payment method. A refund cannot be undone once it
    settles (1-3 days). The runtime attaches an idempotency key, so a retried call never refunds twice. Use only
    after the customer confirmed the amount."""
    return ""


@mcp.tool(
    title="Send order email",
    annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True, "openWorldHint": True},
)
def send_order_email(
    order_id: Annotated[str, Field(pattern=r"^ORD-[0-9]{8}$", description="Order the email is about.")],
    email_template: Annotated[
        Literal["shipping_update", "refund_issued", "delay_apology"], Field(description="Template to send.")
    ],
    personal_note: Annotated[
        str, Field(max_length=500, description="Optional sentence added under the template text.")
    ] = "",
) -> str:
    """Send one transactional email about an order to the customer, from a fixed template. Sending cannot
    be undone. The runtime attaches an idempotency key per request. Use for shipping and refund notices, not for
    marketing."""
    return ""


@mcp.tool(
    title="Cancel subscription",
    annotations={"readOnlyHint": False, "destructiveHint": True, "idempotentHint": True, "openWorldHint": True},
)
def cancel_subscription(
    subscription_id: Annotated[str, Field(pattern=r"^SUB-[0-9]{6}$", description="Subscription to cancel.")],
    confirm: Annotated[bool, Field(description="True only after the customer confirmed the cancellation.")] = False,
) -> str:
    """Cancel the customer's subscription at the end of the current billing period. Cancellation cannot
    be undone; the customer must subscribe again. The call does nothing unless `confirm` is true. Use only when
    the customer asks to cancel."""
    return ""
