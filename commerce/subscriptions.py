"""Memberships paid by the period: a subscription row beside its first order, kept in step with the
provider's subscription, each renewal an order of its own, and access that follows the subscription.

Like every payment handler, a sync reads the subscription's *current* state from the provider, so
events in any order, or twice, end in the provider's state. What the first order granted is held
while the subscription is `active`, `trialing` or `past_due` (the provider is retrying the card: a
grace period), suspended while it is `unpaid`, `paused` or `incomplete`, and revoked once it has
ended. A refund or a dispute of the first order decides over the subscription: an open dispute is
not lifted by a renewal. Renewal orders are unique by invoice, so a redelivered `invoice.paid`
never records a payment twice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commerce.fees import fee_returned
from commerce.models import CheckoutSession, Order, OrderLine, Product, Subscription
from commerce.orders import held_by, order_of, readable, readable_by, record
from commerce.providers.base import PaymentProvider
from core import entitlements
from core.errors import Conflict, NotFound
from core.pagination import Page, paginate
from core.principal import REFUNDS_WRITE, Principal

ACCESS = {
    "active": "active",
    "trialing": "active",
    "past_due": "active",
    "unpaid": "suspended",
    "paused": "suspended",
    "incomplete": "suspended",
    "canceled": "revoked",
    "incomplete_expired": "revoked",
}
ENDED = ("canceled", "incomplete_expired")
DECIDED_BY_THE_ORDER = ("refunded", "disputed", "dispute_lost")


def _at(epoch: Any) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if isinstance(epoch, int) else None


def by_provider_id(session: Session, provider_subscription_id: str) -> Subscription | None:
    return session.scalar(select(Subscription).where(Subscription.provider_subscription_id == provider_subscription_id))


def first_order(session: Session, sub: Subscription) -> Order:
    order = order_of(session, sub.checkout_session_id)
    assert order is not None  # made in the transaction that made the subscription
    return order


def apply(session: Session, sub: Subscription, state: dict[str, Any]) -> Subscription:
    """Copy the provider's state onto the row, and let access follow it."""
    was = sub.status
    sub.status = str(state.get("status") or sub.status)
    sub.current_period_end = _at(state.get("current_period_end")) or sub.current_period_end
    sub.cancel_at_period_end = bool(state.get("cancel_at_period_end"))
    sub.ended_at = _at(state.get("ended_at")) or sub.ended_at
    order = first_order(session, sub)
    access = ACCESS.get(sub.status)
    if access is not None and order.status not in DECIDED_BY_THE_ORDER:
        for held in held_by(session, order):
            entitlements.set_status(session, held, access, f"membership {sub.status}")
    if sub.status in ENDED and was not in ENDED:
        record(session, sub.store_id, order, "subscription.ended", sub.provider_subscription_id)
    return sub


def start(session: Session, provider: PaymentProvider, checkout: CheckoutSession, order: Order, sub_id: str) -> None:
    """The subscription a paid checkout bought, made with its first order (same transaction)."""
    sub = Subscription(
        store_id=order.store_id,
        user_id=order.user_id,
        product_id=checkout.product_id,
        price_id=checkout.price_id,
        checkout_session_id=checkout.id,
        provider=checkout.provider,
        provider_subscription_id=sub_id,
    )
    session.add(sub)
    session.flush()
    order.subscription_id = sub.id
    apply(session, sub, provider.retrieve_subscription(sub_id))


def sync(session: Session, provider: PaymentProvider, provider_subscription_id: str) -> Subscription | None:
    """Bring our row to the provider's current state; None while we have no row for it yet."""
    sub = by_provider_id(session, provider_subscription_id)
    return apply(session, sub, provider.retrieve_subscription(provider_subscription_id)) if sub else None


def renewal(session: Session, invoice: dict[str, Any], sub: Subscription) -> Order:
    """The order of a paid renewal invoice, made once (unique by invoice)."""
    found = session.scalar(select(Order).where(Order.invoice_id == invoice["id"]))
    if found is not None:
        return found
    first = first_order(session, sub)
    amount = int(invoice.get("amount_paid") or 0)
    fee = fee_returned(first.platform_fee, first.total, amount)  # the first order's share of the fee
    try:
        with session.begin_nested():
            order = Order(
                store_id=sub.store_id,
                user_id=sub.user_id,
                checkout_session_id=None,
                subscription_id=sub.id,
                invoice_id=invoice["id"],
                currency=str(invoice.get("currency") or first.currency),
                gross=amount,
                total=amount,
                platform_fee=fee,
                net=amount - fee,
                provider=sub.provider,
                payment_intent_id=invoice.get("payment_intent"),
                charge_id=invoice.get("charge"),
                status="paid",
            )
            session.add(order)
            session.flush()
    except IntegrityError:  # another worker recorded the same invoice between our read and insert
        return session.scalars(select(Order).where(Order.invoice_id == invoice["id"])).one()
    product = session.get(Product, sub.product_id)
    name = f"{product.name if product else 'Membership'} (renewal)"
    line = OrderLine(store_id=order.store_id, order_id=order.id, product_id=sub.product_id, price_id=sub.price_id,
                     description=name[:200], gross=amount, platform_fee=fee, net=order.net)  # fmt: skip
    session.add(line)
    record(session, order.store_id, order, "subscription.renewed", invoice["id"], total=amount, currency=order.currency)
    return order


# --- for people ---------------------------------------------------------------------------------


def get_subscription(session: Session, principal: Principal, subscription_id: str) -> Subscription:
    """A learner reads their own; the store's creator every one of the store (else 404)."""
    sub = session.get(Subscription, subscription_id)
    if sub is None or not readable_by(principal, sub):
        raise NotFound(f"subscription '{subscription_id}' not found")
    return sub


def list_subscriptions(session: Session, principal: Principal, cursor: str | None, limit: int) -> Page[Subscription]:
    query = readable(select(Subscription), Subscription, principal)
    return paginate(session, query, Subscription.id, cursor, limit)


def cancel(session: Session, principal: Principal, provider: PaymentProvider, subscription_id: str) -> Subscription:
    """Cancel at the end of the period paid for: the member keeps it until then. Their own, or, for the
    store's creator (who may give money back), any of the store's. Asking twice is asking once."""
    sub = get_subscription(session, principal, subscription_id)
    if sub.user_id != principal.user_id:
        principal.require(REFUNDS_WRITE)
    if sub.status in ENDED:
        raise Conflict("this membership has ended already", extra={"reason": "ended"})
    if sub.cancel_at_period_end:
        return sub
    try:
        state = provider.cancel_subscription(sub.provider_subscription_id, f"cancel:{sub.id}")
    except ValueError as exc:
        raise Conflict(f"the payment provider refused: {exc}") from exc
    return apply(session, sub, state)
