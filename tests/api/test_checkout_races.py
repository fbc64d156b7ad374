"""Checkouts that cannot be raced, with real concurrent requests against a served app: a coupon's
use is reserved when a checkout opens, every checkout expires with what it holds, and a payment for a
time or a thing taken meanwhile is refunded, never kept twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.app import create_app
from commerce import coupons, expiry
from commerce.models import Booking, CheckoutSession, Coupon, Order, OrderEvent
from core.db import Database, utcnow
from core.settings import Settings
from tests.commerce.factories import Shop, another_learner, coaching_shop, deliver, first_free, shop
from tests.conftest import PASSWORD, login
from tests.live_server import LiveServer, serve

CARD = "4242 4242 4242 4242"


@pytest.fixture
def served(settings: Settings, db: Database) -> Iterator[tuple[TestClient, LiveServer]]:
    app = create_app(settings, db=db, run_jobs=False)
    with TestClient(app) as client, serve(app) as live:
        yield client, live


def learners(client: TestClient, db: Database, s: Shop, n: int) -> list[dict[str, str]]:
    emails = [another_learner(db, s.world.store_id, f"buyer{i}@shop.example.com") for i in range(n)]
    return [login(client, email, s.world.slug, PASSWORD) for email in emails]


def at_once(live: LiveServer, bodies: list[tuple[dict[str, Any], dict[str, str]]]) -> list[httpx.Response]:
    """POST every checkout at the same moment, each from its own connection."""
    gate = threading.Barrier(len(bodies))

    def post(body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        with httpx.Client(base_url=live.url, timeout=30) as http:
            gate.wait()
            return http.post("/v1/checkout", json=body, headers=headers)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(lambda args: post(*args), bodies))


def a_coupon(db: Database, s: Shop, **kwargs: Any) -> str:
    with db.transaction() as session:
        return coupons.create_coupon(session, s.world.owner, "ONCE", max_redemptions=1, **kwargs).id


def coupon_row(db: Database, coupon_id: str) -> Coupon:
    with db.transaction() as session:
        row = session.get(Coupon, coupon_id)
        assert row is not None
        session.expunge(row)
        return row


def test_six_racing_checkouts_with_a_one_use_free_code_make_one_order(
    served: tuple[TestClient, LiveServer], db: Database, settings: Settings
) -> None:
    client, live = served
    s = shop(db, settings)
    coupon_id = a_coupon(db, s, percent_off=100)
    body = {"product_id": s.product_id, "price_id": s.price_id, "coupon": "ONCE"}
    answers = at_once(live, [(body, auth) for auth in learners(client, db, s, 6)])
    assert sorted(a.status_code for a in answers) == [201] + [422] * 5, [a.text for a in answers]
    assert all("used up" in a.json()["detail"] for a in answers if a.status_code == 422)
    with db.transaction() as session:
        assert len(session.scalars(select(Order)).all()) == 1
    assert (coupon_row(db, coupon_id).times_redeemed, coupon_row(db, coupon_id).reserved) == (1, 0)


def test_a_one_use_code_is_held_by_the_open_checkout_until_it_expires(
    served: tuple[TestClient, LiveServer], db: Database, settings: Settings
) -> None:
    client, live = served
    s = shop(db, settings)
    coupon_id = a_coupon(db, s, percent_off=50)
    body = {"product_id": s.product_id, "price_id": s.price_id, "coupon": "ONCE"}
    buyers = learners(client, db, s, 3)
    answers = at_once(live, [(body, auth) for auth in buyers])
    assert sorted(a.status_code for a in answers) == [201, 422, 422]
    assert coupon_row(db, coupon_id).reserved == 1
    with db.transaction() as session:
        session.execute(update(CheckoutSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        assert expiry.expire_due(session) == 1
        assert expiry.expire_due(session) == 0  # given back once
    assert coupon_row(db, coupon_id).reserved == 0
    again = client.post("/v1/checkout", json=body, headers=buyers[1])
    assert again.status_code == 201 and again.json()["discount"] == 2500


def test_a_checkout_sends_its_expiry_and_cannot_be_paid_after_it(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    made = client.post("/v1/checkout", json={"product_id": s.product_id, "price_id": s.price_id}, headers=auth)
    with db.transaction() as session:
        row = session.get(CheckoutSession, made.json()["id"])
        assert row is not None and row.expires_at is not None and row.provider_session_id
        provider_id, expires = row.provider_session_id, row.expires_at
    state = s.provider.retrieve_checkout(provider_id)
    assert state["expires_at"] == int(expires.timestamp())
    with s.provider.db.transaction() as session:  # the provider's clock passes its expiry
        s.provider._put(session, "checkout.session", state | {"expires_at": int(utcnow().timestamp()) - 1})
    assert s.provider.pay(provider_id, CARD) == "expired"
    deliver(db, settings, s.provider)
    with db.transaction() as session:
        assert session.get(CheckoutSession, made.json()["id"]).status == "expired"
        assert not session.scalars(select(Order)).all()


def test_a_late_payment_for_a_time_booked_meanwhile_is_refunded_not_confirmed(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = coaching_shop(db, settings)
    slot = first_free(db, s).isoformat()
    first, second = learners(client, db, s, 2)
    body = {"product_id": s.product_id, "price_id": s.price_id, "starts_at": slot}
    late = client.post("/v1/checkout", json=body, headers=first).json()
    with db.transaction() as session:  # our side's hold lapses; the provider's session is still payable
        session.execute(update(CheckoutSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    taker = client.post("/v1/checkout", json=body, headers=second)
    assert taker.status_code == 201, taker.text
    for made in (taker.json(), late):
        assert s.provider.pay(checkout_provider_id(db, made["id"]), CARD) == "paid"
    deliver(db, settings, s.provider)
    with db.transaction() as session:
        booked = session.scalars(select(Booking).where(Booking.status == "confirmed")).all()
        assert [b.checkout_session_id for b in booked] == [taker.json()["id"]]
    with db.transaction() as session:
        order = session.scalar(select(Order).where(Order.checkout_session_id == late["id"]))
        assert order is not None and (order.status, order.amount_refunded) == ("refunded", order.total)
        refund = session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id, OrderEvent.kind == "refund"))
        assert refund is not None and "booked by someone else" in refund.data["reason"]


def checkout_provider_id(db: Database, checkout_id: str) -> str:
    with db.transaction() as session:
        row = session.get(CheckoutSession, checkout_id)
        assert row is not None and row.provider_session_id
        return row.provider_session_id


def test_two_open_checkouts_for_one_course_both_paid_keep_one(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    body = {"product_id": s.product_id, "price_id": s.price_id}
    made = [client.post("/v1/checkout", json=body, headers=auth).json() for _ in range(2)]
    for checkout in made:
        assert s.provider.pay(checkout_provider_id(db, checkout["id"]), CARD) == "paid"
    deliver(db, settings, s.provider)
    with db.transaction() as session:
        orders = session.scalars(select(Order).order_by(Order.id)).all()
        assert [o.status for o in orders] == ["paid", "refunded"]
        refund = session.scalar(select(OrderEvent).where(OrderEvent.kind == "refund"))
        assert refund is not None and "already have this" in refund.data["reason"]
    charge = s.provider.retrieve_charge(orders[1].charge_id or "")
    assert charge["amount_refunded"] == orders[1].total
