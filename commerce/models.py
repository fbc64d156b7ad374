"""Commerce tables: what a store sells (products, prices, coupons), how a learner pays (checkout
sessions, the store's payment account), what was paid (orders and their lines, which keep the money),
and what the payment provider said (its events, stored before they are acted on) and what came of it
(order events, the order's history, for receipts).

Money is integer minor units (cents) beside a lower-case ISO currency, never a float."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.ids import new_id

ID = String(40)
STORE_FK = "stores.id"


class PaymentAccount(Base):
    """A store's account with the payment provider (a Stripe connected account); it may sell only
    while the provider reports `charges_enabled`."""

    __tablename__ = "payment_accounts"
    __table_args__ = (UniqueConstraint("store_id", "provider"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("pac"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(80), unique=True)
    charges_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    payouts_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    details_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("prd"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # What a purchase grants: the course (kind course), the products (bundle), a file (digital product).
    course_id: Mapped[str | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    bundle_product_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    file_key: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # kind-specific: credits, license tier
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Price(Base):
    __tablename__ = "prices"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("pri"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    unit_amount: Mapped[int] = mapped_column(Integer)  # a tip's suggested amount
    min_amount: Mapped[int | None] = mapped_column(Integer)  # pay what you want, at least this (tips)
    interval: Mapped[str | None] = mapped_column(String(8))  # None: one-time; day, week, month, year
    interval_count: Mapped[int] = mapped_column(Integer, default=1)
    nickname: Mapped[str] = mapped_column(String(100), default="")  # "Basic lease", "Monthly"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Coupon(Base):
    __tablename__ = "coupons"
    __table_args__ = (UniqueConstraint("store_id", "code"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("cpn"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    percent_off: Mapped[int | None] = mapped_column(Integer)  # 1-100
    amount_off: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str | None] = mapped_column(String(3))  # with amount_off
    product_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every product
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_redemptions: Mapped[int | None] = mapped_column(Integer)
    times_redeemed: Mapped[int] = mapped_column(Integer, default=0)
    # Uses held by open checkouts (taken when a checkout opens, given back when it expires).
    reserved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckoutSession(Base):
    """One attempt to pay, priced when it is made (the amounts it shows are the amounts charged)."""

    __tablename__ = "checkout_sessions"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("chk"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    price_id: Mapped[str] = mapped_column(ForeignKey("prices.id", ondelete="CASCADE"))
    coupon_id: Mapped[str | None] = mapped_column(ForeignKey("coupons.id", ondelete="SET NULL"))
    currency: Mapped[str] = mapped_column(String(3))
    gross: Mapped[int] = mapped_column(Integer)
    discount: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer)
    platform_fee: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(16))
    provider_session_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    url: Mapped[str] = mapped_column(String(2000), default="")
    success_url: Mapped[str] = mapped_column(String(2000))
    cancel_url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, complete, expired
    payment_status: Mapped[str] = mapped_column(String(24), default="unpaid")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it stops being payable (sent to the provider); None only for rows made before 0020.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Whether it holds one of its coupon's uses (reserved when it opened, not yet redeemed or released).
    coupon_held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


class Subscription(Base):
    """A membership paid by the period: made with its first order, kept in step with the provider's
    subscription (status, period end, cancel at period end); what its first order granted is held
    while it is active or retrying a payment, suspended while unpaid, revoked once it has ended."""

    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("sub"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    price_id: Mapped[str] = mapped_column(ForeignKey("prices.id", ondelete="RESTRICT"))
    checkout_session_id: Mapped[str] = mapped_column(ForeignKey("checkout_sessions.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_subscription_id: Mapped[str] = mapped_column(String(120), unique=True)
    # The provider's word: active, trialing, past_due (retrying a renewal), unpaid, canceled, ...
    status: Mapped[str] = mapped_column(String(24), default="active")
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Order(Base):
    """What was paid, once per checkout session or, for a renewal, once per invoice (the unique keys
    that make fulfilment idempotent)."""

    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("ord"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The checkout that made it; a renewal has none (its invoice and subscription say where it came from).
    checkout_session_id: Mapped[str | None] = mapped_column(ForeignKey("checkout_sessions.id"), unique=True)
    subscription_id: Mapped[str | None] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    invoice_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(24), default="paid")
    currency: Mapped[str] = mapped_column(String(3))
    gross: Mapped[int] = mapped_column(Integer)
    discount: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer)
    platform_fee: Mapped[int] = mapped_column(Integer)
    net: Mapped[int] = mapped_column(Integer)  # to the creator: total - platform fee
    amount_refunded: Mapped[int] = mapped_column(Integer, default=0)
    fee_refunded: Mapped[int] = mapped_column(Integer, default=0)  # the platform's fee given back
    provider: Mapped[str] = mapped_column(String(16))
    payment_intent_id: Mapped[str | None] = mapped_column(String(120), index=True)
    charge_id: Mapped[str | None] = mapped_column(String(120), index=True)
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("oli"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    price_id: Mapped[str] = mapped_column(ForeignKey("prices.id", ondelete="RESTRICT"))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    gross: Mapped[int] = mapped_column(Integer)
    discount: Mapped[int] = mapped_column(Integer, default=0)
    platform_fee: Mapped[int] = mapped_column(Integer)
    net: Mapped[int] = mapped_column(Integer)


class PaymentEvent(Base):
    """A provider's event as it arrived, stored (unique by its id) before the webhook answers 2xx and
    acted on by a job: the inbox that makes at-least-once delivery safe."""

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("pev"))
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="received")  # processed, ignored, waiting, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    # After a handler raised: not tried again before this (backing off); None: due now.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderEvent(Base):
    """Something that happened to an order (purchased, refunded, payment failed, disputed), once per
    cause, for the order's history and for the mail service's receipts (`handled_at`)."""

    __tablename__ = "order_events"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("oev"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    checkout_session_id: Mapped[str | None] = mapped_column(ForeignKey("checkout_sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    ref: Mapped[str] = mapped_column(String(120))  # what makes it once: a session, a refund, a dispute id
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Booking(Base):
    """A coaching session's time: held while its checkout is open, confirmed when paid, cancelled by a
    full refund. The creator is one person, so no two live bookings of a store overlap
    (`commerce.bookings` checks under a lock on the store's row)."""

    __tablename__ = "bookings"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("bkg"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    checkout_session_id: Mapped[str] = mapped_column(ForeignKey("checkout_sessions.id"), unique=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="held")  # held, confirmed, cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
