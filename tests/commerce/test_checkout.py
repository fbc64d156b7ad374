"""What cannot be bought is refused with a 4xx naming the field, and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from commerce import catalog, coupons
from commerce.models import CheckoutSession, Coupon, Order
from core.db import Database, utcnow
from core.errors import AppError, Conflict
from core.settings import Settings
from tests.commerce.factories import checkout, shop


def sessions(db: Database) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count(CheckoutSession.id))) or 0


def refused(db: Database, settings: Settings, shop_, field: str, **kwargs: object) -> AppError:
    with pytest.raises(AppError) as caught:
        checkout(db, settings, shop_, **kwargs)
    assert caught.value.status in (404, 409, 422) and field in str(caught.value.detail) + str(caught.value.extra)
    assert sessions(db) == 0
    return caught.value


def test_a_checkout_is_priced_with_the_platform_fee(db: Database, settings: Settings) -> None:
    s = shop(db, settings, amount=1995)
    row = checkout(db, settings, s)
    assert (row.gross, row.discount, row.total, row.platform_fee, row.status) == (1995, 0, 1995, 200, "open")
    assert row.provider_session_id and row.provider_session_id in row.url


def test_an_archived_product_cannot_be_bought(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    with db.transaction() as session:
        catalog.update_product(session, s.world.owner, s.product_id, status="archived")
    refused(db, settings, s, "product_id")


def test_another_stores_price_cannot_be_used(db: Database, settings: Settings) -> None:
    s, other = shop(db, settings), shop(db, settings, slug="other")
    refused(db, settings, s, "price_id", price_id=other.price_id)


def test_a_currency_other_than_the_prices_is_refused(db: Database, settings: Settings) -> None:
    refused(db, settings, shop(db, settings), "currency", currency="eur")


def test_a_store_that_cannot_take_payments_cannot_sell(db: Database, settings: Settings) -> None:
    error = refused(db, settings, shop(db, settings, selling=False), "charges_disabled")
    assert isinstance(error, Conflict)


def test_a_tip_under_its_minimum_is_refused(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    with db.transaction() as session:
        tip = catalog.create_product(session, s.world.owner, "tip", "Buy me a coffee")
        price = catalog.create_price(session, s.world.owner, tip.id, "usd", 500, min_amount=300)
        catalog.update_product(session, s.world.owner, tip.id, status="active")
        ids = tip.id, price.id
    refused(db, settings, s, "amount", product_id=ids[0], price_id=ids[1], amount=299)
    row = checkout(db, settings, s, product_id=ids[0], price_id=ids[1], amount=750)
    assert (row.total, row.platform_fee) == (750, 75)


@pytest.mark.parametrize("problem", ["expired", "used_up", "other_product", "unknown"])
def test_a_coupon_that_cannot_be_used_names_why(db: Database, settings: Settings, problem: str) -> None:
    s = shop(db, settings)
    with db.transaction() as session:
        coupon = coupons.create_coupon(
            session,
            s.world.owner,
            "SAVE10",
            percent_off=10,
            max_redemptions=1,
            expires_at=utcnow() + timedelta(days=1),
            product_ids=[catalog.create_product(session, s.world.owner, "digital", "Stems").id]
            if problem == "other_product"
            else None,
        )
        if problem == "expired":
            coupon.expires_at = utcnow() - timedelta(seconds=1)
        if problem == "used_up":
            coupon.times_redeemed = 1
    refused(db, settings, s, "coupon", coupon="NOPE" if problem == "unknown" else "save10")


def test_a_full_coupon_makes_a_free_order_with_no_fee(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    with db.transaction() as session:
        coupons.create_coupon(session, s.world.owner, "FREE", percent_off=100)
    row = checkout(db, settings, s, coupon="free")
    assert (row.total, row.discount, row.platform_fee, row.payment_status) == (0, 4999, 0, "no_payment_required")
    assert row.url == row.success_url and row.provider_session_id is None  # nothing to pay: no provider page
    with db.transaction() as session:
        order = session.scalar(select(Order).where(Order.checkout_session_id == row.id))
        assert order is not None and (order.status, order.total, order.charge_id) == ("free", 0, None)
        assert session.get(Coupon, row.coupon_id).times_redeemed == 1
    with pytest.raises(Conflict, match="already have"):
        checkout(db, settings, s, coupon="free")
