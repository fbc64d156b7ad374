"""Orders as the rest of commerce reads them: an order by its checkout, what an order granted, and
its history of events (each recorded once per cause, for receipts and the mail service)."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from commerce.models import Order, OrderEvent, OrderLine, Subscription
from core import entitlements
from core.db import utcnow
from core.principal import ORDERS_READ, Principal
from core.tenancy import belongs, in_store


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


def readable_by(principal: Principal, row: Order | Subscription) -> bool:
    """A learner reads their own orders and memberships; a creator (`orders:read`) every one of the store."""
    mine = row.user_id == principal.user_id
    return belongs(row, principal) and (principal.has(ORDERS_READ) or mine)


Row = TypeVar("Row", Order, Subscription)


def readable(query: Select[tuple[Row]], model: type[Row], principal: Principal) -> Select[tuple[Row]]:
    """`query` narrowed to the rows `readable_by` the principal."""
    query = query.where(in_store(model, principal))
    return query if principal.has(ORDERS_READ) else query.where(model.user_id == principal.user_id)
