"""Products and their prices: what a store sells and for how much.

A product has a kind (from the marketplace this grew out of), a status (`draft` until the creator
activates it, `archived` when it is withdrawn: never deleted, since orders point at it) and what a
purchase grants: the course (kind `course`), the products in it (a `bundle`, or a `membership` for
as long as its subscription lasts), a file (a digital product); the other kinds grant the product
itself, which their own services read later. Every check names the field it is about."""

from __future__ import annotations

from typing import Any

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from commerce import bookings
from commerce.kinds import kind_of
from commerce.models import Price, Product
from core.errors import invalid
from core.pagination import Page, paginate
from core.principal import PRODUCTS_READ, PRODUCTS_WRITE, Principal
from core.tenancy import get_in_store, in_store, select_in_store

STATUSES = ("draft", "active", "archived")
INTERVALS = ("day", "week", "month", "year")
CURRENCIES = ("usd", "eur", "gbp", "cad", "aud", "jpy", "chf", "sek", "nok", "dkk", "nzd", "mxn", "brl", "inr")
MAX_AMOUNT = 99_999_999  # Stripe's ceiling for one charge, in minor units
MAX_BUNDLE = 50
# The course a product grants, read as a table (`commerce` may not import `courses`: siblings).
COURSES = table("courses", column("id"), column("store_id"))


def get_product(session: Session, principal: Principal, product_id: str) -> Product:
    principal.require(PRODUCTS_READ)
    return get_in_store(session, Product, product_id, principal, "product")


def list_products(
    session: Session, principal: Principal, status: str | None, cursor: str | None, limit: int
) -> Page[Product]:
    principal.require(PRODUCTS_READ)
    query = select_in_store(Product, principal)
    if status is not None:
        if status not in STATUSES:
            raise invalid("status", f"must be one of {', '.join(STATUSES)}")
        query = query.where(Product.status == status)
    return paginate(session, query, Product.id, cursor, limit)


def _check_grant(session: Session, store_id: str, kind: str, course_id: str | None, bundle: list[str]) -> None:
    behaviour = kind_of(kind)
    if behaviour.grants_course:
        found = session.execute(select(COURSES.c.id).where(COURSES.c.id == course_id, COURSES.c.store_id == store_id))
        if course_id is None or found.first() is None:
            raise invalid("course_id", "a course product needs a course of this store")
    elif course_id is not None:
        raise invalid("course_id", "only a course product grants a course")
    if behaviour.holds_products:
        least = behaviour.min_parts
        if not least <= len(set(bundle)) <= MAX_BUNDLE:
            raise invalid("bundle_product_ids", f"a {kind} holds {least} to {MAX_BUNDLE} different products")
        parts = session.scalars(select(Product).where(Product.id.in_(bundle), in_store(Product, store_id))).all()
        if len(parts) != len(set(bundle)):
            raise invalid("bundle_product_ids", f"every product of a {kind} must be one of this store's")
        if any(kind_of(p.kind).holds_products for p in parts):
            raise invalid("bundle_product_ids", f"a {kind} cannot hold a bundle or a membership")
    elif bundle:
        raise invalid("bundle_product_ids", "only a bundle or a membership holds other products")


def create_product(
    session: Session,
    principal: Principal,
    kind: str,
    name: str,
    description: str = "",
    course_id: str | None = None,
    bundle_product_ids: list[str] | None = None,
    details: dict[str, Any] | None = None,
) -> Product:
    principal.require(PRODUCTS_WRITE)
    store_id = principal.require_store()
    behaviour = kind_of(kind)
    if not name.strip() or len(name) > 200:
        raise invalid("name", "must be 1 to 200 characters")
    bundle = list(dict.fromkeys(bundle_product_ids or []))
    _check_grant(session, store_id, kind, course_id, bundle)
    if behaviour.bookable:  # its length, time zone and weekly hours (`commerce.bookings`)
        details = bookings.check_details(details or {})
    product = Product(
        store_id=store_id,
        kind=kind,
        name=name.strip(),
        description=description,
        course_id=course_id,
        bundle_product_ids=bundle,
        details=details or {},
    )
    session.add(product)
    session.flush()
    return product


def update_product(
    session: Session,
    principal: Principal,
    product_id: str,
    name: str | None = None,
    description: str | None = None,
    status: str | None = None,
) -> Product:
    """Rename, describe, activate or archive. Activating needs an active price: a product on sale
    without one could not be bought."""
    principal.require(PRODUCTS_WRITE)
    product = get_product(session, principal, product_id)
    if name is not None:
        if not name.strip() or len(name) > 200:
            raise invalid("name", "must be 1 to 200 characters")
        product.name = name.strip()
    if description is not None:
        product.description = description
    if status is not None:
        if status not in STATUSES:
            raise invalid("status", f"must be one of {', '.join(STATUSES)}")
        if status == "active" and not active_prices(session, product.id):
            raise invalid("status", "add a price before putting the product on sale")
        product.status = status
    session.flush()
    return product


def active_prices(session: Session, product_id: str) -> list[Price]:
    return list(session.scalars(select(Price).where(Price.product_id == product_id, Price.active.is_(True))))


def create_price(
    session: Session,
    principal: Principal,
    product_id: str,
    currency: str,
    unit_amount: int,
    interval: str | None = None,
    interval_count: int = 1,
    min_amount: int | None = None,
    nickname: str = "",
) -> Price:
    """A price in minor units: at least 1 (a free course is enrolled in, not bought), a tip's
    `min_amount` at least 1 and no more than its suggested amount, recurring only for memberships."""
    principal.require(PRODUCTS_WRITE)
    product = get_product(session, principal, product_id)
    currency = currency.lower()
    if currency not in CURRENCIES:
        raise invalid("currency", f"must be one of {', '.join(CURRENCIES)}")
    if not 1 <= unit_amount <= MAX_AMOUNT:
        raise invalid("unit_amount", f"must be a whole number of minor units from 1 to {MAX_AMOUNT}")
    if kind_of(product.kind).pay_what_you_want:
        if min_amount is None or not 1 <= min_amount <= unit_amount:
            raise invalid("min_amount", "a tip needs a minimum from 1 up to its suggested amount")
    elif min_amount is not None:
        raise invalid("min_amount", "only a tip is pay-what-you-want")
    if interval is not None:
        if interval not in INTERVALS:
            raise invalid("interval", f"must be one of {', '.join(INTERVALS)}, or none for a one-time price")
        if not kind_of(product.kind).recurring:
            raise invalid("interval", "only a membership is sold by subscription")
        if not 1 <= interval_count <= 12:
            raise invalid("interval_count", "must be from 1 to 12")
    others = [p for p in active_prices(session, product.id) if p.currency != currency]
    if others:
        raise invalid("currency", f"this product is priced in {others[0].currency}; one currency per product")
    price = Price(
        store_id=product.store_id,
        product_id=product.id,
        currency=currency,
        unit_amount=unit_amount,
        min_amount=min_amount,
        interval=interval,
        interval_count=interval_count,
        nickname=nickname[:100],
    )
    session.add(price)
    session.flush()
    return price


def get_price(session: Session, store_id: str, price_id: str) -> Price:
    price = get_in_store(session, Price, price_id, store_id, "price", extra={"field": "price_id"})
    return price
