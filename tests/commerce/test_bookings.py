"""Coaching bookings: free times from the creator's weekly hours, a time held with its checkout,
confirmed with the order, given back by a full refund; a taken or unbookable time refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from commerce import bookings, catalog, refunds
from commerce.models import Booking, CheckoutSession, OrderEvent, Product
from core.db import Database, utcnow
from core.errors import AppError, Conflict
from core.settings import Settings
from tests.commerce.factories import Shop, another_learner, checkout, coaching_shop, deliver, first_free, shop
from tests.conftest import principal_of


def _product(db: Database, product_id: str) -> Product:
    with db.transaction() as session:
        product = session.get(Product, product_id)
        assert product is not None
        session.expunge(product)
        return product


def _slots(db: Database, product_id: str, now: datetime, days: int = 2) -> list[datetime]:
    with db.transaction() as session:
        product = session.get(Product, product_id)
        assert product is not None
        return bookings.free_slots(session, product, days, now=now)


def _booking(db: Database) -> Booking:
    with db.transaction() as session:
        row = session.scalars(select(Booking)).one()
        session.expunge(row)
        return row


def _paid(db: Database, settings: Settings, s: Shop, starts_at: datetime) -> str:
    row = checkout(db, settings, s, starts_at=starts_at)
    assert s.provider.pay(row.provider_session_id or "", "4242 4242 4242 4242") == "paid"
    deliver(db, settings, s.provider)
    with db.transaction() as session:
        return str(session.scalars(select(Booking.order_id)).one())


def test_free_times_follow_the_weekly_hours_in_the_creators_time_zone(db: Database, settings: Settings) -> None:
    hours = [{"weekday": "monday", "start": "09:00", "end": "11:00"}]
    s = coaching_shop(db, settings, hours=hours, timezone="Europe/Berlin")
    sunday = datetime(2027, 1, 3, 12, tzinfo=UTC)  # Berlin is UTC+1 in winter
    assert _slots(db, s.product_id, sunday) == [
        datetime(2027, 1, 4, 8, tzinfo=UTC),
        datetime(2027, 1, 4, 9, tzinfo=UTC),
    ]


def test_the_notice_period_hides_times_too_soon(db: Database, settings: Settings) -> None:
    hours = [{"weekday": "monday", "start": "09:00", "end": "12:00"}]
    s = coaching_shop(db, settings, hours=hours, notice_hours=24, duration_minutes=90)
    sunday = datetime(2027, 1, 3, 9, 30, tzinfo=UTC)
    assert _slots(db, s.product_id, sunday) == [datetime(2027, 1, 4, 10, 30, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "details.timezone"),
        ({"duration_minutes": 5}, "details.duration_minutes"),
        ({"hours": [{"weekday": "funday", "start": "09:00", "end": "17:00"}]}, "details.hours.0.weekday"),
        ({"hours": [{"weekday": "monday", "start": "9am", "end": "17:00"}]}, "details.hours.0.start"),
        ({"hours": [{"weekday": "monday", "start": "09:00", "end": "09:30"}]}, "details.hours.0.end"),
    ],
)
def test_a_coaching_product_with_bad_hours_is_refused(
    db: Database, settings: Settings, details: dict[str, object], field: str
) -> None:
    world = shop(db, settings, selling=False).world
    with pytest.raises(AppError) as caught, db.transaction() as session:
        catalog.create_product(session, world.owner, "coaching", "Call", details=details)
    assert caught.value.status == 422 and caught.value.detail.startswith(f"{field}:")


def test_a_coaching_product_gets_the_default_hours(db: Database, settings: Settings) -> None:
    s = shop(db, settings, selling=False)
    with db.transaction() as session:
        product = catalog.create_product(session, s.world.owner, "coaching", "Call")
        details = dict(product.details)
    assert details["duration_minutes"] == 60 and details["timezone"] == "UTC" and len(details["hours"]) == 5


def test_a_coaching_checkout_needs_a_time(db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    with pytest.raises(AppError) as caught:
        checkout(db, settings, s)
    assert caught.value.status == 422 and caught.value.detail.startswith("starts_at:")


def test_a_time_off_the_schedule_is_refused(db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    with pytest.raises(AppError) as caught:
        checkout(db, settings, s, starts_at=first_free(db, s) + timedelta(minutes=20))
    assert caught.value.status == 422 and caught.value.detail.startswith("starts_at:")


def test_a_held_time_is_neither_offered_nor_sold_twice(db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    when = first_free(db, s)
    checkout(db, settings, s, starts_at=when)
    assert first_free(db, s) != when
    other = principal_of(db, another_learner(db, s.world.store_id), s.world.store_id)
    s.learner = other
    with pytest.raises(Conflict) as caught:
        checkout(db, settings, s, starts_at=when)
    assert caught.value.extra["reason"] == "slot_taken"
    with db.transaction() as session:
        assert session.scalar(select(func.count(CheckoutSession.id))) == 1


def test_a_lapsed_hold_gives_the_time_back(db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    when = first_free(db, s)
    checkout(db, settings, s, starts_at=when)
    assert first_free(db, s) != when
    with db.transaction() as session:  # the checkout's expiry passes: its hold ends with it
        session.execute(update(CheckoutSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert first_free(db, s) == when


def test_a_hold_made_before_checkouts_expired_lapses_after_thirty_minutes(db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    when = first_free(db, s)
    checkout(db, settings, s, starts_at=when)
    with db.transaction() as session:
        session.execute(update(CheckoutSession).values(expires_at=None))
        session.execute(update(Booking).values(created_at=utcnow() - bookings.HOLD - timedelta(seconds=1)))
    assert first_free(db, s) == when


def test_paying_confirms_the_booking_once(db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    when = first_free(db, s)
    order_id = _paid(db, settings, s, when)
    deliver(db, settings, s.provider)  # nothing new: the fulfiller is not run twice over
    booking = _booking(db)
    assert (booking.status, booking.order_id, booking.starts_at) == ("confirmed", order_id, when)
    assert booking.ends_at - booking.starts_at == timedelta(hours=1)
    with db.transaction() as session:
        kinds = list(session.scalars(select(OrderEvent.kind).where(OrderEvent.order_id == order_id)))
    assert kinds.count("booking.confirmed") == 1


def test_a_full_refund_cancels_the_booking_and_frees_its_time(db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    when = first_free(db, s)
    order_id = _paid(db, settings, s, when)
    assert first_free(db, s) != when
    with db.transaction() as session:
        refunds.refund_order(session, s.world.owner, s.provider, order_id)
    deliver(db, settings, s.provider)
    assert _booking(db).status == "cancelled"
    assert first_free(db, s) == when
    with db.transaction() as session:
        kinds = list(session.scalars(select(OrderEvent.kind).where(OrderEvent.order_id == order_id)))
    assert kinds.count("booking.cancelled") == 1


def test_a_partial_refund_keeps_the_booking(db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    order_id = _paid(db, settings, s, first_free(db, s))
    with db.transaction() as session:
        refunds.refund_order(session, s.world.owner, s.provider, order_id, 1000)
    assert _booking(db).status == "confirmed"


def test_only_a_coaching_session_takes_a_time(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    with pytest.raises(AppError) as caught:
        checkout(db, settings, s, starts_at=datetime(2030, 1, 7, 9, tzinfo=UTC))
    assert caught.value.status == 422 and caught.value.detail.startswith("starts_at:")
