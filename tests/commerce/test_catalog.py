"""Products, prices and coupons refuse what a store cannot sell, naming the field."""

from __future__ import annotations

import pytest

from commerce import catalog, coupons
from core.db import Database
from core.errors import ValidationFailed
from tests.conftest import StoreWorld


def fails(field: str, call, *args, **kwargs) -> None:
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    assert caught.value.errors[0].field == field


def test_a_price_of_zero_or_less_is_refused(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        product = catalog.create_product(s, store_a.owner, "digital", "Drum kit")
        for amount in (0, -100):
            fails("unit_amount", catalog.create_price, s, store_a.owner, product.id, "usd", amount)


def test_a_course_product_needs_a_course_of_the_same_store(
    db: Database, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    with db.transaction() as s:
        fails("course_id", catalog.create_product, s, store_a.owner, "course", "X", course_id=store_b.course_id)
        fails("course_id", catalog.create_product, s, store_a.owner, "course", "X")


def test_a_bundle_holds_two_or_more_of_the_stores_products(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        one = catalog.create_product(s, store_a.owner, "digital", "One")
        fails(
            "bundle_product_ids", catalog.create_product, s, store_a.owner, "bundle", "B", bundle_product_ids=[one.id]
        )
        two = catalog.create_product(s, store_a.owner, "digital", "Two")
        bundle = catalog.create_product(s, store_a.owner, "bundle", "B", bundle_product_ids=[one.id, two.id])
        assert bundle.bundle_product_ids == [one.id, two.id]


def test_only_a_membership_recurs_and_only_a_tip_takes_a_minimum(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        kit = catalog.create_product(s, store_a.owner, "digital", "Kit")
        fails("interval", catalog.create_price, s, store_a.owner, kit.id, "usd", 900, interval="month")
        fails("min_amount", catalog.create_price, s, store_a.owner, kit.id, "usd", 900, min_amount=100)
        tier = catalog.create_product(s, store_a.owner, "membership", "Inner circle")
        assert catalog.create_price(s, store_a.owner, tier.id, "usd", 900, interval="month").interval == "month"


def test_one_currency_per_product(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        kit = catalog.create_product(s, store_a.owner, "beat_lease", "Beat")
        catalog.create_price(s, store_a.owner, kit.id, "usd", 2900, nickname="Basic lease")
        fails("currency", catalog.create_price, s, store_a.owner, kit.id, "eur", 2900)


def test_a_product_goes_on_sale_only_with_a_price(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        kit = catalog.create_product(s, store_a.owner, "digital", "Kit")
        fails("status", catalog.update_product, s, store_a.owner, kit.id, status="active")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"percent_off": 101}, "percent_off"),
        ({"percent_off": 0}, "percent_off"),
        ({}, "percent_off"),
        ({"amount_off": 500}, "currency"),
        ({"percent_off": 10, "max_redemptions": 0}, "max_redemptions"),
    ],
)
def test_a_coupon_out_of_bounds_names_its_field(db: Database, store_a: StoreWorld, kwargs: dict, field: str) -> None:
    with db.transaction() as s:
        fails(field, coupons.create_coupon, s, store_a.owner, "SPRING", **kwargs)


def test_a_coupons_last_use_is_taken_once(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        coupon = coupons.create_coupon(s, store_a.owner, "ONCE", amount_off=500, currency="usd", max_redemptions=1)
        assert coupons.redeem(s, coupon.id, reserved=False) is True
        assert coupons.redeem(s, coupon.id, reserved=False) is False


def test_a_coupons_last_use_is_reserved_once_and_given_back(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        coupon = coupons.create_coupon(s, store_a.owner, "ONCE", percent_off=50, max_redemptions=1)
        coupons.reserve(s, coupon.id)
        fails("coupon", coupons.reserve, s, coupon.id)
        coupons.release(s, coupon.id)
        coupons.reserve(s, coupon.id)
        assert coupons.redeem(s, coupon.id, reserved=True) is True
        s.refresh(coupon)
        assert (coupon.times_redeemed, coupon.reserved) == (1, 0)
