"""Checkout: a learner asks to buy one price of a product; the platform prices it (coupon, tip,
fee), refuses what cannot be sold, and opens a session with the provider.

The amounts are fixed here, on our row, before the provider is asked: what the buyer sees on the
provider's page is what the order records. A learner who already holds what a product grants is told
so (409), not charged twice; kinds bought again and again (tips, credits, services) are not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from commerce import bookings, coupons, expiry, fees
from commerce.catalog import MAX_AMOUNT, get_price
from commerce.fulfilment import already_held, fulfil
from commerce.kinds import kind_of
from commerce.models import CheckoutSession, Coupon, PaymentAccount, Price, Product
from commerce.providers.base import CheckoutRequest, PaymentProvider
from core.errors import Conflict, invalid
from core.ids import new_id
from core.models import Store, User
from core.principal import LEARN, Principal
from core.return_urls import check_return_url
from core.tenancy import get_in_store, select_in_store


@dataclass(frozen=True)
class Quote:
    currency: str
    gross: int
    discount: int
    total: int
    platform_fee: int
    coupon: Coupon | None


def quote(
    session: Session, product: Product, price: Price, coupon_code: str | None, amount: int | None, fee_bps: int
) -> Quote:
    if price.min_amount is not None:  # a tip: the buyer names the amount, at least the minimum
        gross = price.unit_amount if amount is None else amount
        if gross < price.min_amount:
            raise invalid("amount", f"at least {price.min_amount} ({price.currency}, minor units) for this tip")
        if gross > MAX_AMOUNT:  # one charge's ceiling, as for a price: no ten-billion-dollar tip
            raise invalid("amount", f"at most {MAX_AMOUNT} ({price.currency}, minor units)")
    elif amount is not None and amount != price.unit_amount:
        raise invalid("amount", "only a pay-what-you-want price takes an amount")
    else:
        gross = price.unit_amount
    coupon = (
        coupons.usable_coupon(session, product.store_id, coupon_code, product.id, price.currency)
        if coupon_code
        else None
    )
    off = coupons.discount(coupon, gross) if coupon else 0
    total = gross - off
    return Quote(price.currency, gross, off, total, fees.platform_fee(total, fee_bps), coupon)


def selling_account(session: Session, store_id: str, provider: str) -> PaymentAccount:
    account = session.scalar(select_in_store(PaymentAccount, store_id).where(PaymentAccount.provider == provider))
    if account is None or not account.charges_enabled:
        raise Conflict(
            "this store cannot take payments yet: its payment account is not set up or not enabled",
            extra={"reason": "charges_disabled"},
        )
    return account


def start_checkout(
    session: Session,
    principal: Principal,
    provider: PaymentProvider,
    product_id: str,
    price_id: str,
    success_url: str,
    cancel_url: str,
    fee_bps: int,
    coupon: str | None = None,
    amount: int | None = None,
    currency: str | None = None,
    starts_at: datetime | None = None,
    *,
    site: str,
) -> CheckoutSession:
    """A checkout for one price; a coaching session needs `starts_at`, one of the product's free
    times (`bookings.free_slots`), held with the checkout. The learner is sent back only to a path
    of `site` (the platform's origin) or the store's own domains (`core.return_urls`)."""
    principal.require(LEARN)
    store_id = principal.require_store()
    product = get_in_store(session, Product, product_id, store_id, "product", extra={"field": "product_id"})
    if product.status != "active":
        raise invalid("product_id", f"this product is not on sale ({product.status})")
    price = get_price(session, store_id, price_id)
    if price.product_id != product.id or not price.active:
        raise invalid("price_id", "not an active price of this product")
    if currency is not None and currency.lower() != price.currency:
        raise invalid("currency", f"this price is in {price.currency}")
    domains = store.site_domains if (store := session.get(Store, store_id)) is not None else []
    success = check_return_url("success_url", success_url, site, domains)
    cancel = check_return_url("cancel_url", cancel_url, site, domains)
    if already_held(session, product, principal.user_id):
        raise Conflict("you already have this; nothing was charged", extra={"reason": "already_held"})
    bookable = kind_of(product.kind).bookable
    if starts_at is not None and not bookable:
        raise invalid("starts_at", "only a coaching session is booked for a time")
    priced = quote(session, product, price, coupon, amount, fee_bps)
    account = selling_account(session, store_id, provider.name)
    if priced.coupon is not None:
        coupons.reserve(session, priced.coupon.id)  # one guarded UPDATE: racing checkouts take one use each
    closes = expiry.expires_at()
    ends_at = bookings.claim(session, product, starts_at) if bookable else None
    user = session.get(User, principal.user_id)
    reference = new_id("chk")
    row = CheckoutSession(
        id=reference,
        store_id=store_id,
        user_id=principal.user_id,
        product_id=product.id,
        price_id=price.id,
        coupon_id=priced.coupon.id if priced.coupon else None,
        currency=priced.currency,
        gross=priced.gross,
        discount=priced.discount,
        total=priced.total,
        platform_fee=priced.platform_fee,
        provider=provider.name,
        url=success,
        success_url=success,
        cancel_url=cancel,
        expires_at=closes,
        coupon_held=priced.coupon is not None,
    )
    if priced.total == 0:
        # A 100% coupon: nothing to pay, so no provider session; the order is made at once
        # (`no_payment_required`) and the learner goes straight to the success address.
        session.add(row)
        session.flush()
        if starts_at is not None and ends_at is not None:
            bookings.hold(session, row, starts_at, ends_at)
        fulfil(session, provider, row)
        return row
    # The provider first, then our row: the provider is another system; a session it made for a row
    # we then failed to write is never paid for, it just expires.
    made = provider.create_checkout(
        CheckoutRequest(
            reference=reference,
            account_id=account.account_id,
            currency=priced.currency,
            total=priced.total,
            platform_fee=priced.platform_fee,
            fee_percent=fees.percent_of(fee_bps),
            description=product.name,
            interval=price.interval,
            interval_count=price.interval_count,
            success_url=success,
            cancel_url=cancel,
            customer_email=user.email if user else "",
            idempotency_key=f"checkout:{reference}",
            metadata={"store_id": store_id, "checkout_session_id": reference},
            expires_at=int(closes.timestamp()),
        )
    )
    row.provider_session_id, row.url = made.id, made.url
    session.add(row)
    session.flush()
    if starts_at is not None and ends_at is not None:
        bookings.hold(session, row, starts_at, ends_at)
    return row
