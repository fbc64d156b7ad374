"""Coupons: a percent or an amount off, for some products or all, until a date or a number of uses.

A use is *reserved* when a checkout opens, by one guarded `UPDATE` (`times_redeemed + reserved <
max_redemptions`), so six checkouts racing for a one-use code open one; it becomes a redemption when
the checkout is paid and is given back when the checkout expires (`commerce/expiry.py`), so an
abandoned checkout spends nothing for longer than its life. A free order (a 100% code) reserves and
redeems in the same transaction."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ColumnElement, case, select, update
from sqlalchemy.orm import Session

from commerce.catalog import CURRENCIES, MAX_AMOUNT
from commerce.models import Coupon, Product
from core.db import utcnow
from core.errors import Conflict, invalid
from core.pagination import Page, paginate
from core.principal import PRODUCTS_READ, PRODUCTS_WRITE, Principal
from core.tenancy import belongs, in_store, select_in_store

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")


def create_coupon(
    session: Session,
    principal: Principal,
    code: str,
    percent_off: int | None = None,
    amount_off: int | None = None,
    currency: str | None = None,
    product_ids: list[str] | None = None,
    expires_at: datetime | None = None,
    max_redemptions: int | None = None,
) -> Coupon:
    principal.require(PRODUCTS_WRITE)
    store_id = principal.require_store()
    code = code.strip().upper()
    if not CODE.match(code):
        raise invalid("code", "3 to 40 letters, digits, '-' or '_'")
    if (percent_off is None) == (amount_off is None):
        raise invalid("percent_off", "give either percent_off or amount_off")
    if percent_off is not None and not 1 <= percent_off <= 100:
        raise invalid("percent_off", "must be from 1 to 100")
    if amount_off is not None:
        if not 1 <= amount_off <= MAX_AMOUNT:
            raise invalid("amount_off", f"must be from 1 to {MAX_AMOUNT} minor units")
        if currency is None or currency.lower() not in CURRENCIES:
            raise invalid("currency", "an amount off needs the currency it is in")
    elif currency is not None:
        raise invalid("currency", "only an amount off has a currency")
    if expires_at is not None and expires_at <= utcnow():
        raise invalid("expires_at", "must be in the future")
    if max_redemptions is not None and max_redemptions < 1:
        raise invalid("max_redemptions", "must be at least 1")
    products = list(dict.fromkeys(product_ids or []))
    if products:
        found = session.scalars(select(Product.id).where(Product.id.in_(products), in_store(Product, store_id)))
        if len(set(found)) != len(products):
            raise invalid("product_ids", "every product must be one of this store's")
    if session.scalar(select(Coupon.id).where(in_store(Coupon, store_id), Coupon.code == code)):
        raise Conflict(f"this store already has a coupon '{code}'", extra={"field": "code"})
    coupon = Coupon(
        store_id=store_id,
        code=code,
        percent_off=percent_off,
        amount_off=amount_off,
        currency=currency.lower() if currency else None,
        product_ids=products,
        expires_at=expires_at,
        max_redemptions=max_redemptions,
    )
    session.add(coupon)
    session.flush()
    return coupon


def list_coupons(session: Session, principal: Principal, cursor: str | None, limit: int) -> Page[Coupon]:
    principal.require(PRODUCTS_READ)
    return paginate(session, select_in_store(Coupon, principal), Coupon.id, cursor, limit)


def deactivate_coupon(session: Session, principal: Principal, coupon_id: str) -> Coupon:
    principal.require(PRODUCTS_WRITE)
    coupon = session.get(Coupon, coupon_id)
    if coupon is None or not belongs(coupon, principal):
        raise invalid("coupon_id", f"no coupon '{coupon_id}' in this store")
    coupon.active = False
    session.flush()
    return coupon


def usable_coupon(session: Session, store_id: str, code: str, product_id: str, currency: str) -> Coupon:
    """The coupon a buyer typed, if it may be used now on this product; otherwise a 422 on `coupon`."""
    coupon = session.scalar(select_in_store(Coupon, store_id).where(Coupon.code == code.strip().upper()))
    if coupon is None or not coupon.active:
        raise invalid("coupon", f"no coupon '{code}' in this store")
    if coupon.expires_at is not None and coupon.expires_at <= utcnow():
        raise invalid("coupon", "this coupon has expired")
    if coupon.max_redemptions is not None and coupon.times_redeemed + coupon.reserved >= coupon.max_redemptions:
        raise invalid("coupon", "this coupon has been used up")
    if coupon.product_ids and product_id not in coupon.product_ids:
        raise invalid("coupon", "this coupon is not for this product")
    if coupon.amount_off is not None and coupon.currency != currency:
        raise invalid("coupon", f"this coupon is in {coupon.currency}, the price in {currency}")
    return coupon


def discount(coupon: Coupon, gross: int) -> int:
    """The amount off, never more than the price (a 100% coupon makes a free order)."""
    if coupon.percent_off is not None:
        return min(gross, (gross * coupon.percent_off + 50) // 100)
    return min(gross, coupon.amount_off or 0)


def _left() -> ColumnElement[bool]:
    return Coupon.max_redemptions.is_(None) | (Coupon.times_redeemed + Coupon.reserved < Coupon.max_redemptions)


def reserve(session: Session, coupon_id: str) -> None:
    """Hold one use for an opening checkout, unless none is left (a 422 on `coupon` then)."""
    result = session.execute(update(Coupon).where(Coupon.id == coupon_id, _left()).values(reserved=Coupon.reserved + 1))
    if not result.rowcount:  # type: ignore[attr-defined]
        raise invalid("coupon", "this coupon has been used up")


def release(session: Session, coupon_id: str) -> None:
    """An expired checkout's use, given back."""
    session.execute(
        update(Coupon).where(Coupon.id == coupon_id, Coupon.reserved > 0).values(reserved=Coupon.reserved - 1)
    )


def redeem(session: Session, coupon_id: str, reserved: bool) -> bool:
    """Count one use of a paid checkout: its reservation becomes a redemption; without one (a checkout
    paid after it expired, or opened before reservations) only if a use is left. False when none was
    (the payment stands: it was quoted)."""
    if reserved:
        session.execute(
            update(Coupon)
            .where(Coupon.id == coupon_id)
            .values(
                times_redeemed=Coupon.times_redeemed + 1,
                reserved=case((Coupon.reserved > 0, Coupon.reserved - 1), else_=0),
            )
        )
        return True
    result = session.execute(
        update(Coupon).where(Coupon.id == coupon_id, _left()).values(times_redeemed=Coupon.times_redeemed + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
