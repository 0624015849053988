"""Order tools for an agent built with the OpenAI Agents SDK."""

from typing import Annotated, Literal, Optional

from agents import RunContextWrapper, decorators, function_tool
from pydantic import BaseModel, Field


class Item(BaseModel):
    sku: str
    quantity: int = Field(ge=1, le=99)


@function_tool
def get_order(order_id: str) -> str:
    """Fetch an order.

    Args:
        order_id: The id of the order, like ORD-1.
    """
    return ""


@function_tool(name_override="create_order")
def make_order(
    ctx: RunContextWrapper[None], customer_id: str, items: list[Item], note: Optional[str] = None, rush: bool = False
) -> str:
    """Create an order for a customer.

    Args:
        customer_id: The customer.
        items: What to order.
        note: A note for the warehouse.
    """
    return ""


@function_tool
def convert(amount: float, currency: Literal["EUR", "USD"] = "EUR") -> float:
    """Convert money.

    :param amount: How much.
    :param currency: Target currency.
    """
    return 0.0


@function_tool(description_override="Cancel a subscription.")
def cancel(subscription_id: Annotated[str, "The subscription"], reason: str = "none given") -> str:
    return ""


@function_tool
def numpy_style(city: str, days: int = 3) -> str:
    """Forecast.

    Parameters
    ----------
    city : str
        The city.
    days : int
        How many days.
    """
    return ""


@decorators.tool(name_override="cancel_order")
def cancel_unshipped(order_id: str, reason: Literal["customer", "fraud"] = "customer") -> str:
    """Cancel an order that has not shipped yet.

    Args:
        order_id: The id of the order, like ORD-1.
        reason: Why the order is cancelled.
    """
    return ""
