"""The one fulfiller: turn a paid checkout session into an order and what it grants, exactly once.

It is called from the webhook's job (`checkout.session.completed`, `…async_payment_succeeded`) and
from the success redirect, in any order and as often as they come. It never trusts the caller's word
that a session was paid: it asks the provider for the session as it is now. The order's unique
`checkout_session_id` makes a second fulfilment (a duplicate event, the redirect racing the webhook)
find the first order instead of making another; the grants, the coupon's use and the purchase event
happen in the same transaction as the order, so they happen once with it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commerce import bookings, coupons, subscriptions
from commerce.kinds import kind_of
from commerce.models import CheckoutSession, Order, OrderLine, Product
from commerce.orders import order_of, record
from commerce.providers.base import PaymentProvider
from core import entitlements
from core.db import utcnow

PAID = ("paid", "no_payment_required")


def already_held(session: Session, product: Product, user_id: str) -> bool:
    behaviour = kind_of(product.kind)
    if behaviour.repeatable:  # bought again and again
        return False
    if behaviour.grants_course and product.course_id:
        return entitlements.holds(session, product.store_id, user_id, "course", product.course_id)
    return entitlements.holds(session, product.store_id, user_id, "product", product.id)


def session_by_provider_id(session: Session, provider_session_id: str) -> CheckoutSession | None:
    return session.scalar(select(CheckoutSession).where(CheckoutSession.provider_session_id == provider_session_id))


def _grant(session: Session, product: Product, user_id: str, line_id: str, source: str = "purchase") -> None:
    """What one product grants its buyer: its course, each part of a bundle or a membership, and the
    product itself (a membership's grants then follow its subscription: `subscriptions.apply`)."""
    entitlements.grant(session, product.store_id, user_id, "product", product.id, source, line_id)
    behaviour = kind_of(product.kind)
    if behaviour.grants_course and product.course_id:
        entitlements.grant(session, product.store_id, user_id, "course", product.course_id, source, line_id)
    if behaviour.holds_products:
        parts = session.scalars(select(Product).where(Product.id.in_(product.bundle_product_ids)))
        for part in parts:
            _grant(session, part, user_id, line_id, "bundle")


def fulfil(session: Session, provider: PaymentProvider, checkout: CheckoutSession) -> Order | None:
    """The order of a paid session (made now or before); None while the provider says it is not paid."""
    existing = order_of(session, checkout.id)
    if existing is not None:
        return existing
    if checkout.provider_session_id is None:  # free (a 100% coupon): our own pricing is the only word
        state: dict[str, object] = {"status": "complete" if checkout.total == 0 else "open"}
        state |= {"payment_status": "no_payment_required", "payment_intent": None, "charge": None}
    else:
        state = provider.retrieve_checkout(checkout.provider_session_id)
    if state.get("status") != "complete" or state.get("payment_status") not in PAID:
        return None
    product = session.get(Product, checkout.product_id)
    assert product is not None  # products are archived, never deleted
    try:
        with session.begin_nested():
            order = Order(
                store_id=checkout.store_id,
                user_id=checkout.user_id,
                checkout_session_id=checkout.id,
                currency=checkout.currency,
                gross=checkout.gross,
                discount=checkout.discount,
                total=checkout.total,
                platform_fee=checkout.platform_fee,
                net=checkout.total - checkout.platform_fee,
                provider=checkout.provider,
                payment_intent_id=state.get("payment_intent"),
                charge_id=state.get("charge"),
                invoice_id=state.get("invoice"),  # a subscription's first invoice: not a renewal
                status="paid" if checkout.total else "free",
            )
            session.add(order)
            session.flush()
    except IntegrityError:  # another worker fulfilled it between our read and our insert
        return order_of(session, checkout.id)
    line = OrderLine(
        store_id=order.store_id,
        order_id=order.id,
        product_id=product.id,
        price_id=checkout.price_id,
        description=product.name,
        gross=checkout.gross,
        discount=checkout.discount,
        platform_fee=checkout.platform_fee,
        net=order.net,
    )
    session.add(line)
    session.flush()
    refused = _refusal(session, checkout, product) if order.charge_id and not state.get("subscription") else None
    if refused is not None:
        _refund_whole(session, provider, checkout, order, refused)
        return order
    _grant(session, product, order.user_id, line.id)
    if checkout.coupon_id:
        coupons.redeem(session, checkout.coupon_id, reserved=checkout.coupon_held)
        checkout.coupon_held = False
    if state.get("subscription"):
        subscriptions.start(session, provider, checkout, order, str(state["subscription"]))
    checkout.status, checkout.payment_status, checkout.completed_at = "complete", str(state["payment_status"]), utcnow()
    record(
        session, order.store_id, order, "purchase.completed", checkout.id, total=order.total, currency=order.currency
    )
    bookings.confirm(session, checkout, order)  # after the receipt's event: the receipt is mailed first
    return order


def _refusal(session: Session, checkout: CheckoutSession, product: Product) -> str | None:
    """Why a paid checkout cannot be kept: its time went to someone else after its hold lapsed, or the
    buyer came to hold the product meanwhile (two checkouts open at once, both paid)."""
    if kind_of(product.kind).bookable and bookings.taken(session, checkout):
        return "the time you chose was booked by someone else before your payment arrived"
    if already_held(session, product, checkout.user_id):
        return "you already have this, from an earlier purchase"
    return None


def _refund_whole(
    session: Session, provider: PaymentProvider, checkout: CheckoutSession, order: Order, reason: str
) -> None:
    """Give the whole payment back (idempotent at the provider by the order's id): the order records
    the money that came and went, grants nothing, books nothing, and the buyer's letter says why."""
    assert order.charge_id is not None
    provider.refund(order.charge_id, order.total, f"refused:{order.id}")
    order.amount_refunded, order.fee_refunded, order.status = order.total, order.platform_fee, "refunded"
    checkout.status, checkout.payment_status, checkout.completed_at = "complete", "paid", utcnow()
    if checkout.coupon_held and checkout.coupon_id:
        coupons.release(session, checkout.coupon_id)
        checkout.coupon_held = False
    booking = bookings.of_checkout(session, checkout.id)
    if booking is not None and booking.status == "held":
        booking.status = "cancelled"
    ref = f"refused:{order.id}"
    record(session, order.store_id, order, "refund", ref, amount_refunded=order.total, full=True, reason=reason)
