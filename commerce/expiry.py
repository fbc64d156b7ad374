"""A checkout's life. Every checkout expires (`LIFETIME` after it opens, the time sent to the provider
as `expires_at`, so neither side takes a payment after it); what it held ends with it: a coaching
session's time (`bookings._busy` reads the checkout's expiry) and a reserved coupon use (given back
here). Expiry is a conditional update from `open`, so the sweeper, the provider's
`checkout.session.expired` and a retry give the use back once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commerce import coupons
from commerce.models import CheckoutSession
from core.db import utcnow

# Stripe takes 30 minutes to 24 hours after the session is made; ours is a little over the least, so
# a held time or a one-use coupon waits for an abandoned checkout no longer than that.
LIFETIME = timedelta(minutes=35)
BATCH = 500


def expires_at(now: datetime | None = None) -> datetime:
    return (now or utcnow()) + LIFETIME


def expire(session: Session, checkout: CheckoutSession) -> bool:
    """Close an open checkout and give back what it held; False when it was not open (the one that
    won the change from `open` gives the coupon's use back, so it is given back once)."""
    held = checkout.coupon_id if checkout.coupon_held else None  # set when it opened; unchanged while open
    closed = session.execute(
        update(CheckoutSession)
        .where(CheckoutSession.id == checkout.id, CheckoutSession.status == "open")
        .values(status="expired", coupon_held=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(checkout)
    if not closed:
        return False
    if held:
        coupons.release(session, held)
    return True


def expire_due(session: Session, now: datetime | None = None) -> int:
    """Every open checkout past its expiry, closed (the minute task); how many."""
    moment = now or utcnow()
    due = session.scalars(
        select(CheckoutSession)
        .where(CheckoutSession.status == "open", CheckoutSession.expires_at <= moment)
        .order_by(CheckoutSession.expires_at)
        .limit(BATCH)
    ).all()
    return sum(expire(session, checkout) for checkout in due)
