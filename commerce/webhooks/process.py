"""Acting on a stored provider event. Every handler is a sync of the object's *current* state (asked
of the provider, not read from the event), so a duplicate is a no-op, and events in any order end in
the state the provider holds: a refund event before the order exists waits (`NotYet`) and is tried
again; a dispute closed before its "created" arrives is not re-opened by it.

Money rules: a full refund revokes what the order granted, a partial one keeps it; an open dispute
suspends it, a won one restores it, a lost one revokes it. Amounts refunded are copied from the
charge (a state), never added up, so the creator is never deducted twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commerce import accounts, bookings, expiry, subscriptions
from commerce.fees import fee_returned
from commerce.fulfilment import fulfil, session_by_provider_id
from commerce.models import CheckoutSession, Order, PaymentAccount, PaymentEvent, Subscription
from commerce.orders import held_by, record
from commerce.providers.base import PaymentProvider
from core import entitlements

log = logging.getLogger("academy.commerce")


class NotYet(Exception):
    """What the event is about is not here yet (it raced ahead of the checkout or the order)."""


Handler = Callable[[Session, PaymentProvider, dict[str, Any], PaymentEvent], None]


def _checkout_of(session: Session, obj: dict[str, Any]) -> CheckoutSession:
    checkout = session_by_provider_id(session, str(obj.get("id", "")))
    if checkout is None and obj.get("client_reference_id"):
        checkout = session.get(CheckoutSession, obj["client_reference_id"])
    if checkout is None:
        raise NotYet(f"checkout session {obj.get('id')} is not recorded yet")
    return checkout


def _order_of_charge(session: Session, charge: dict[str, Any]) -> Order:
    keys = [k for k in (charge.get("id"), charge.get("payment_intent")) if k]
    order = session.scalar(select(Order).where(or_(Order.charge_id.in_(keys), Order.payment_intent_id.in_(keys))))
    if order is None:
        raise NotYet(f"no order for charge {charge.get('id')} yet")
    if order.charge_id is None:
        order.charge_id = charge.get("id")
    return order


def _set_access(session: Session, order: Order, status: str, reason: str) -> None:
    for held in held_by(session, order):
        entitlements.set_status(session, held, status, reason)


DISPUTED = ("disputed", "dispute_lost")  # while a dispute is open, or after it was lost


def _refund_status(order: Order) -> str:
    if order.amount_refunded >= order.total:
        return "refunded"
    return "partially_refunded" if order.amount_refunded else "paid"


def happened(event: PaymentEvent | None) -> datetime | None:
    """When the provider says the event happened (its `created`), for the order's history."""
    created = event.payload.get("created") if event is not None else None
    return datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None


def checkout_completed(session: Session, provider: PaymentProvider, obj: dict[str, Any], _: PaymentEvent) -> None:
    fulfil(session, provider, _checkout_of(session, obj))  # None: an async payment still pending


def _attempt_failed(session: Session, checkout: CheckoutSession, event: PaymentEvent, **data: object) -> None:
    """A failed attempt at paying a checkout, in its history (there is no order yet)."""
    kind = "payment.failed"
    record(session, checkout.store_id, None, kind, event.event_id, checkout.id, at=happened(event), **data)


def checkout_failed(session: Session, provider: PaymentProvider, obj: dict[str, Any], event: PaymentEvent) -> None:
    _attempt_failed(session, _checkout_of(session, obj), event)


def checkout_expired(session: Session, provider: PaymentProvider, obj: dict[str, Any], _: PaymentEvent) -> None:
    expiry.expire(session, _checkout_of(session, obj))  # its hold and its coupon's use end with it


def payment_failed(session: Session, provider: PaymentProvider, obj: dict[str, Any], event: PaymentEvent) -> None:
    checkout_id = (obj.get("metadata") or {}).get("checkout_session_id")
    checkout = session.get(CheckoutSession, checkout_id) if checkout_id else None
    if checkout is None:
        return  # not a checkout of ours (a renewal's is told by invoice.payment_failed)
    _attempt_failed(session, checkout, event, error=(obj.get("last_payment_error") or {}).get("message", "declined"))


def refunded(session: Session, provider: PaymentProvider, obj: dict[str, Any], event: PaymentEvent | None) -> None:
    charge_id = obj.get("charge") if obj.get("object") == "refund" else obj.get("id")
    charge = provider.retrieve_charge(str(charge_id))
    order = _order_of_charge(session, charge)
    amount = min(int(charge.get("amount_refunded", 0)), order.total)
    if amount <= order.amount_refunded:
        return  # nothing new (a duplicate, or an older event after a newer one)
    order.amount_refunded, order.fee_refunded = amount, fee_returned(order.platform_fee, order.total, amount)
    full = amount >= order.total
    if order.status not in DISPUTED:
        order.status = _refund_status(order)
    if full:
        _set_access(session, order, "revoked", "refunded")
        bookings.cancel_for(session, order)
    ref = f"{charge['id']}:{amount}"
    record(session, order.store_id, order, "refund", ref, at=happened(event), amount_refunded=amount, full=full)


def dispute_changed(session: Session, provider: PaymentProvider, obj: dict[str, Any], event: PaymentEvent) -> None:
    dispute = provider.retrieve_dispute(str(obj.get("id")))
    order = _order_of_charge(session, provider.retrieve_charge(str(dispute["charge"])))
    status = dispute.get("status", "")
    order.disputed = True
    if status == "won":
        order.status = _refund_status(order)
        _set_access(session, order, "active", "dispute won")
    elif status == "lost":
        order.status = "dispute_lost"
        _set_access(session, order, "revoked", "dispute lost")
    else:
        order.status = "disputed"
        _set_access(session, order, "suspended", "a dispute is open")
    kind = f"dispute.{status or 'open'}"
    record(session, order.store_id, order, kind, dispute["id"], at=happened(event), amount=dispute.get("amount"))


def subscription_changed(session: Session, provider: PaymentProvider, obj: dict[str, Any], _: PaymentEvent) -> None:
    if not (obj.get("metadata") or {}).get("checkout_session_id"):
        return  # not a subscription sold through Academy
    if subscriptions.sync(session, provider, str(obj["id"])) is None:
        raise NotYet(f"subscription {obj['id']} is not recorded yet (its checkout is not fulfilled)")


def _subscription_of(session: Session, invoice: dict[str, Any]) -> Subscription:
    sub = subscriptions.by_provider_id(session, str(invoice["subscription"]))
    if sub is None:
        raise NotYet(f"subscription {invoice['subscription']} of invoice {invoice['id']} is not recorded yet")
    return sub


def invoice_paid(session: Session, provider: PaymentProvider, obj: dict[str, Any], _: PaymentEvent) -> None:
    invoice = provider.retrieve_invoice(str(obj["id"]))
    if invoice.get("status") != "paid" or not invoice.get("subscription"):
        return
    sub = _subscription_of(session, invoice)
    if invoice.get("billing_reason") != "subscription_create":  # the first one is the checkout's order
        subscriptions.renewal(session, invoice, sub)
    subscriptions.sync(session, provider, sub.provider_subscription_id)


def invoice_failed(session: Session, provider: PaymentProvider, obj: dict[str, Any], event: PaymentEvent) -> None:
    invoice = provider.retrieve_invoice(str(obj["id"]))
    if not invoice.get("subscription"):
        return
    sub = _subscription_of(session, invoice)
    latest = session.scalars(
        select(Order).where(Order.subscription_id == sub.id).order_by(Order.created_at.desc(), Order.id.desc())
    ).first()
    error = "the membership's renewal payment failed; the card will be tried again"
    record(session, sub.store_id, latest, "payment.failed", event.event_id, at=happened(event), error=error)
    subscriptions.sync(session, provider, sub.provider_subscription_id)


def account_updated(session: Session, provider: PaymentProvider, obj: dict[str, Any], _: PaymentEvent) -> None:
    account = session.scalar(select(PaymentAccount).where(PaymentAccount.account_id == obj.get("id")))
    if account is None:
        return
    state = provider.retrieve_account(account.account_id)
    accounts.sync(account, state)


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": checkout_completed,
    "checkout.session.async_payment_succeeded": checkout_completed,
    "checkout.session.async_payment_failed": checkout_failed,
    "checkout.session.expired": checkout_expired,
    "payment_intent.payment_failed": payment_failed,
    "charge.refunded": refunded,
    "refund.created": refunded,
    "refund.updated": refunded,
    "charge.dispute.created": dispute_changed,
    "charge.dispute.updated": dispute_changed,
    "charge.dispute.closed": dispute_changed,
    "account.updated": account_updated,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_failed,
}


def process(session: Session, provider: PaymentProvider, event: PaymentEvent) -> str:
    """Act on one stored event; its new status (`processed`, `ignored`), or `NotYet` raised."""
    handler = HANDLERS.get(event.type)
    if handler is None:
        log.info("ignored payment event %s of type %s", event.event_id, event.type)
        return "ignored"
    obj = (event.payload.get("data") or {}).get("object") or {}
    handler(session, provider, obj, event)
    return "processed"
