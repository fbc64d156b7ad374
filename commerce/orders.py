"""Orders as the rest of commerce reads them: an order by its checkout, what an order granted, and
its history of events (each recorded once per cause, for receipts and the mail service)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.models import Order, OrderEvent, OrderLine
from core import entitlements
from core.db import utcnow


def order_of(session: Session, checkout_id: str) -> Order | None:
    return session.scalar(select(Order).where(Order.checkout_session_id == checkout_id))


def record(
    session: Session,
    store_id: str,
    order: Order | None,
    kind: str,
    ref: str,
    checkout_session_id: str | None = None,
    at: datetime | None = None,
    **data: object,
) -> bool:
    """An order event, once per (kind, ref): False when it was recorded before. `at` is when it
    happened (a provider event's time), so a history reads in order even when events came late."""
    if session.scalar(select(OrderEvent.id).where(OrderEvent.kind == kind, OrderEvent.ref == ref)):
        return False
    checkout_session_id = checkout_session_id or (order.checkout_session_id if order else None)
    session.add(
        OrderEvent(
            store_id=store_id,
            order_id=order.id if order else None,
            checkout_session_id=checkout_session_id,
            kind=kind,
            ref=ref,
            data=dict(data),
            created_at=at or utcnow(),
        )
    )
    session.flush()
    return True


def held_by(session: Session, order: Order) -> list[entitlements.Entitlement]:
    """What the order granted (its lines' courses and products, a bundle's parts), whatever their status."""
    lines = session.scalars(select(OrderLine.id).where(OrderLine.order_id == order.id))
    return [e for line in lines for e in entitlements.by_cause(session, "purchase", line)]
