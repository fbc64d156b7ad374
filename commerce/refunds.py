"""A creator refunds an order, in full or in part. The provider is asked first (with an idempotency
key made of the order and what was refunded before, so a retried request refunds once); the order is
then synced from the charge as the webhook would sync it, so whichever comes first, the state is one.
A disputed order is refused: the dispute decides, and refunding it too would take the money twice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.models import Order
from commerce.orders import readable, readable_by
from commerce.providers.base import PaymentProvider
from commerce.webhooks.process import DISPUTED, refunded
from core.errors import Conflict, NotFound, invalid
from core.pagination import Page, paginate
from core.principal import REFUNDS_WRITE, Principal


def get_order(session: Session, principal: Principal, order_id: str) -> Order:
    """A creator reads their store's orders; a learner only their own."""
    order = session.get(Order, order_id)
    if order is None or not readable_by(principal, order):
        raise NotFound(f"order '{order_id}' not found")
    return order


def list_orders(session: Session, principal: Principal, cursor: str | None, limit: int) -> Page[Order]:
    return paginate(session, readable(select(Order), Order, principal), Order.id, cursor, limit)


def refund_order(
    session: Session, principal: Principal, provider: PaymentProvider, order_id: str, amount: int | None = None
) -> Order:
    principal.require(REFUNDS_WRITE)
    principal.require_attended("money", "a refund")
    order = get_order(session, principal, order_id)
    left = order.total - order.amount_refunded
    if order.status in DISPUTED:
        raise Conflict("this order is disputed: the dispute decides, a refund would take the money twice")
    if left <= 0:
        raise Conflict("this order is refunded already", extra={"reason": "refunded"})
    if order.charge_id is None:
        raise Conflict("this order has no charge to refund (it was free)", extra={"reason": "free"})
    amount = left if amount is None else amount
    if not 1 <= amount <= left:
        raise invalid("amount", f"must be from 1 to {left} (what is left of the order, minor units)")
    key = f"refund:{order.id}:{order.amount_refunded}:{amount}"
    try:
        refund = provider.refund(order.charge_id, amount, key)
    except ValueError as exc:
        raise Conflict(f"the payment provider refused the refund: {exc}") from exc
    refunded(session, provider, refund, None)
    return order
