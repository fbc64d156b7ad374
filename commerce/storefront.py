"""What a store has on sale, for anyone: its active products with their active prices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.kinds import kind_of
from commerce.models import Price, Product
from core.errors import NotFound, invalid
from core.models import Store
from core.tenancy import get_in_store, select_in_store


def store_by_slug(session: Session, slug: str) -> Store:
    store = session.scalar(select(Store).where(Store.slug == slug))
    if store is None:
        raise NotFound(f"store '{slug}' not found")
    return store


def on_sale(session: Session, slug: str) -> tuple[Store, list[tuple[Product, list[Price]]]]:
    store = store_by_slug(session, slug)
    products = session.scalars(
        select_in_store(Product, store.id).where(Product.status == "active").order_by(Product.created_at)
    ).all()
    prices = session.scalars(
        select(Price).where(Price.product_id.in_([p.id for p in products]), Price.active.is_(True))
    ).all()
    by_product: dict[str, list[Price]] = {}
    for price in prices:
        by_product.setdefault(price.product_id, []).append(price)
    return store, [(p, by_product[p.id]) for p in products if p.id in by_product]


def bookable(session: Session, store_id: str, product_id: str) -> Product:
    """An active coaching product of the store, whose free times anyone who may buy it can list."""
    product = get_in_store(session, Product, product_id, store_id, "product", also=lambda row: row.status == "active")
    if not kind_of(product.kind).bookable:
        raise invalid("product_id", f"only a coaching product is booked for a time (this is a {product.kind})")
    return product
