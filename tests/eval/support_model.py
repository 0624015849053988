"""A scripted support-agent model for examples/evals: what a good model answers, with one flaky run.

The recorded transcripts in examples/evals/recorded were made with it on the local Messages API
(`toollint eval examples/evals --base-url ... --record examples/evals/recorded --concurrency 1`)."""

from __future__ import annotations

import threading
from typing import Any

from tests.eval.local_api import first_user_text, text, tool_use, turn_index


def support_model() -> Any:
    """A responder for `LocalAPI.responder`; the second run of the split-shipment case stops too early."""
    runs: dict[str, int] = {}
    lock = threading.Lock()

    def respond(body: dict[str, Any]) -> list[dict[str, Any]]:
        first = first_user_text(body)
        step = turn_index(body)
        with lock:
            if step == 0:
                runs[first] = runs.get(first, 0) + 1
            n = runs[first]
        if "Where is my order ORD-20240117" in first:
            return (
                [text("Let me look that up for you."), tool_use("get_order", {"order_id": "ORD-20240117"})]
                if step == 0
                else [text("Your order ORD-20240117 has shipped with UPS. The tracking number is 1Z999AA10123456784.")]
            )
        if "half the items" in first:
            if step == 0:
                return [tool_use("get_order", {"order_id": "ORD-20240117"})]
            if step == 1 and n == 2:
                return [
                    text(
                        "Your order was delivered as a split shipment; the remaining items ship separately as ORD-20240118."
                    )
                ]
            if step == 1:
                return [
                    text("The rest of your items were split into a second shipment. Let me check it."),
                    tool_use("get_order", {"order_id": "ORD-20240118"}),
                ]
            return [
                text(
                    "The remaining items are on their way as ORD-20240118, shipped with DHL and expected on 2024-01-22."
                )
            ]
        if "check orders" in first:
            if n == 2:
                if step == 0:
                    return [tool_use("get_order", {"order_id": "ORD-20240117"})]
                if step == 1:
                    return [tool_use("get_order", {"order_id": "ORD-20240203"})]
                return [text("ORD-20240117 has shipped with UPS, and ORD-20240203 is still processing.")]
            if step == 0:
                return [
                    text("I'll check both."),
                    tool_use("get_order", {"order_id": "ORD-20240117"}),
                    tool_use("get_order", {"order_id": "ORD-20240203"}),
                ]
            return [text("ORD-20240117 has shipped (UPS). ORD-20240203 is still processing.")]
        if "Thanks, that's all" in first:
            return [text("You're welcome! Have a great day.")]
        if first == "Where is my order?":
            return [
                text(
                    "I'd be happy to help. Could you tell me your order ID? It looks like ORD- followed by eight digits and is printed on your receipt."
                )
            ]
        if "ORD-20240999" in first:
            return (
                [tool_use("get_order", {"order_id": "ORD-20240999"})]
                if step == 0
                else [
                    text(
                        "I'm sorry, I couldn't look up ORD-20240999 right now because our order system timed out. Please try again in a few minutes."
                    )
                ]
            )
        if "arrived damaged" in first:
            return (
                [
                    text("I'm sorry it arrived damaged. Let me pull up the order."),
                    tool_use("get_order", {"order_id": "ORD-20240117"}),
                ]
                if step == 0
                else [
                    text(
                        "I can refund the full order total of $12.99 to your original payment method. Would you like me to go ahead? Please confirm the amount."
                    )
                ]
            )
        return [text("?")]

    return respond
