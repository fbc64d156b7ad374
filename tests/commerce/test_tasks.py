"""The drain that acts on stored payment events: everything, oldest first, waiting ones again after
their subject came in, a failing one left for later; and one drain queued for any number of events."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from commerce import tasks
from commerce.models import Order, PaymentEvent
from commerce.webhooks.process import process
from core.db import Database, utcnow
from core.jobs import configure_jobs, huey
from core.settings import Settings
from tests.commerce.factories import checkout, shop, store_event
from tests.commerce.test_payments import paid_lessons_visible


def statuses(db: Database) -> dict[str, str]:
    with db.transaction() as s:
        return {row.event_id: row.status for row in s.execute(select(PaymentEvent.event_id, PaymentEvent.status))}


@pytest.mark.parametrize("seed", [4, 5])
def test_a_drain_acts_on_a_shuffled_burst_and_ends_in_the_right_state(
    db: Database, settings: Settings, seed: int
) -> None:
    s = shop(db, settings)
    row = checkout(db, settings, s)
    s.provider.pay(row.provider_session_id or "", "4242424242424242")
    charge_id = s.provider.retrieve_checkout(row.provider_session_id or "")["charge"]
    s.provider.refund(charge_id, 4999, "refund-early")
    events = s.provider.pending_events()
    random.Random(seed).shuffle(events)
    for e in events:
        store_event(db, settings, e)
    assert tasks.drain(db, settings) == len(events)
    assert set(statuses(db).values()) <= {"processed", "ignored"}  # a refund before its order waited, then applied
    with db.transaction() as session:
        order = session.scalar(select(Order))
        assert order is not None and order.status == "refunded"
    assert not paid_lessons_visible(db, s)


def test_an_event_that_fails_is_left_for_a_later_drain(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = shop(db, settings)
    row = checkout(db, settings, s)
    s.provider.pay(row.provider_session_id or "", "4242424242424242")
    events = s.provider.pending_events()
    for e in events:
        store_event(db, settings, e)
    real = process
    broken = next(e["id"] for e in events if e["type"] == "checkout.session.completed")

    def provider_down(session: Any, provider: Any, event: PaymentEvent) -> str:
        if event.event_id == broken:
            raise ConnectionError("the provider did not answer")
        return real(session, provider, event)

    monkeypatch.setattr(tasks, "process", provider_down)
    assert tasks.drain(db, settings) == len(events) - 1
    assert statuses(db)[broken] == "received" and not paid_lessons_visible(db, s)
    monkeypatch.setattr(tasks, "process", real)
    assert tasks.drain(db, settings) == 0  # backing off: not tried again at once
    time_passes(db)
    assert tasks.drain(db, settings) == 1 and paid_lessons_visible(db, s)


def time_passes(db: Database) -> None:
    with db.transaction() as session:
        session.execute(update(PaymentEvent).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def test_an_event_that_keeps_raising_is_counted_backed_off_and_parked(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = shop(db, settings)
    store_event(db, settings, {"id": "evt_bad", "type": "checkout.session.completed", "created": 1,
                               "data": {"object": {"id": "cs_x"}}})  # fmt: skip
    del s

    def broken(session: Any, provider: Any, event: PaymentEvent) -> str:
        session.add(Order(store_id="sto_nowhere"))  # a write the savepoint must undo
        raise RuntimeError("a bug in a handler")

    monkeypatch.setattr(tasks, "process", broken)
    waits = []
    for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
        tasks.drain(db, settings, retry_waiting=True)
        with db.transaction() as session:
            row = session.scalars(select(PaymentEvent)).one()
            assert row.attempts == attempt and "RuntimeError: a bug in a handler" in row.error
            if row.next_attempt_at is not None:
                waits.append(row.next_attempt_at - utcnow())
        tasks.drain(db, settings)  # at once: nothing is tried
        time_passes(db)
    assert statuses(db)["evt_bad"] == "failed"
    assert [round(w.total_seconds() / 60) for w in waits[:4]] == [1, 2, 4, 8]
    with db.transaction() as session:
        assert session.scalars(select(Order)).all() == []
    tasks.drain(db, settings, retry_waiting=True)
    with db.transaction() as session:
        assert session.scalars(select(PaymentEvent)).one().attempts == tasks.MAX_ATTEMPTS  # parked: left alone


def test_one_drain_is_queued_for_any_number_of_events(settings: Settings) -> None:
    configure_jobs(settings)
    huey.flush()
    for _ in range(5):
        tasks.request_drain()
    assert huey.pending_count() == 1
    huey.storage.pop_data(tasks.DRAIN_PENDING)  # what the drain does first when it runs
    tasks.request_drain()
    assert huey.pending_count() == 2
