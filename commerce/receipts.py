"""Receipts: an order as its buyer (or its store) reads it, with its lines and its history.

The history is the order's events (`purchase.completed`, `refund`, `dispute.*`) and the failed
attempts of the checkout that became it (`payment.failed` is recorded against the checkout, since no
order exists yet when a card is declined), oldest first. They are the same rows the mail service
will turn into receipts (`handled_at`), so the page, the API and a sent receipt never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commerce.models import Order, OrderEvent, OrderLine
from commerce.refunds import get_order
from core.models import Store
from core.principal import Principal

# What each event kind is called where people read it; a kind not named here shows as it is.
LABELS = {
    "purchase.completed": "Paid",
    "refund": "Refunded",
    "payment.failed": "Payment failed",
    "dispute.open": "Disputed",
    "dispute.needs_response": "Disputed",
    "dispute.under_review": "Dispute under review",
    "dispute.won": "Dispute won",
    "dispute.lost": "Dispute lost",
    "booking.confirmed": "Session booked",
    "booking.cancelled": "Session cancelled",
}


@dataclass(frozen=True)
class Receipt:
    order: Order
    store: Store
    lines: list[OrderLine]
    history: list[OrderEvent]


def label(event: OrderEvent) -> str:
    return LABELS.get(event.kind, event.kind)


def amount_of(event: OrderEvent) -> int | None:
    """The money an entry speaks of: what a purchase took, what a refund has given back in all."""
    data: dict[str, Any] = event.data or {}
    for key in ("total", "amount_refunded", "amount"):
        if isinstance(data.get(key), int):
            return int(data[key])
    return None


def history(session: Session, order: Order) -> list[OrderEvent]:
    """Everything that happened to the order and to the checkout that became it, oldest first."""
    mine = OrderEvent.order_id == order.id
    if order.checkout_session_id is not None:  # a renewal has no checkout (and `== None` is IS NULL)
        mine = or_(mine, OrderEvent.checkout_session_id == order.checkout_session_id)
    return list(session.scalars(select(OrderEvent).where(mine).order_by(OrderEvent.created_at, OrderEvent.id)))


def receipt(session: Session, principal: Principal, order_id: str) -> Receipt:
    """One order as a receipt: a learner reads their own, a creator their store's (else 404)."""
    order = get_order(session, principal, order_id)
    store = session.get(Store, order.store_id)
    assert store is not None  # an order's store is deleted with it
    lines = list(session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)))
    return Receipt(order, store, lines, history(session, order))
