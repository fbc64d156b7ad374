"""A purchase on the local provider end to end: checkout, the card, the signed events, the order,
the entitlement and what the learner may then read; and refunds and disputes after it."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from commerce import refunds
from commerce.fulfilment import fulfil
from commerce.models import CheckoutSession, Order, OrderEvent
from commerce.tasks import run_event
from core import entitlements
from core.db import Database, utcnow
from core.errors import Conflict
from core.settings import Settings
from courses import access, catalog
from tests.commerce.factories import Shop, checkout, deliver, shop, store_event


def paid_lessons_visible(db: Database, s: Shop) -> bool:
    with db.transaction() as session:
        scope = access.read_scope(session, s.learner, s.world.course_id, utcnow())
        return s.world.paid_lesson_id in (scope.lesson_ids or [])


def order_of(db: Database, checkout_id: str) -> Order | None:
    with db.transaction() as session:
        order = session.scalar(select(Order).where(Order.checkout_session_id == checkout_id))
        if order is not None:
            session.expunge(order)
        return order


def buy(db: Database, settings: Settings, s: Shop) -> tuple[CheckoutSession, Order]:
    row = checkout(db, settings, s)
    assert s.provider.pay(row.provider_session_id or "", "4242 4242 4242 4242") == "paid"
    deliver(db, settings, s.provider)
    order = order_of(db, row.id)
    assert order is not None
    return row, order


def bought(db: Database, settings: Settings) -> tuple[Shop, CheckoutSession, Order]:
    s = shop(db, settings)
    return (s, *buy(db, settings, s))


def test_a_paid_checkout_makes_one_order_that_opens_the_course(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    assert not paid_lessons_visible(db, s)
    _, order = buy(db, settings, s)
    assert (order.total, order.platform_fee, order.net, order.status) == (4999, 500, 4499, "paid")
    assert paid_lessons_visible(db, s)
    with db.transaction() as session:
        assert catalog.read_lesson(session, s.learner, s.world.paid_lesson_id).title == "Paid"
        kinds = session.scalars(select(OrderEvent.kind).where(OrderEvent.order_id == order.id)).all()
    assert kinds == ["purchase.completed"]


def test_a_declined_card_makes_no_order_and_records_the_failure(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    row = checkout(db, settings, s)
    assert s.provider.pay(row.provider_session_id or "", "4000000000000002") == "declined"
    deliver(db, settings, s.provider)
    assert order_of(db, row.id) is None and not paid_lessons_visible(db, s)
    with db.transaction() as session:
        failed = session.scalar(select(OrderEvent).where(OrderEvent.checkout_session_id == row.id))
        assert failed is not None and failed.kind == "payment.failed"
        assert failed.data["error"] == "Your card was declined."


def test_a_card_asking_for_authentication_pays_only_once_authenticated(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    row = checkout(db, settings, s)
    assert s.provider.pay(row.provider_session_id or "", "4000002500003155") == "requires_action"
    assert s.provider.pending_events() == []
    assert s.provider.pay(row.provider_session_id or "", "4000002500003155", authenticated=True) == "paid"
    deliver(db, settings, s.provider)
    assert order_of(db, row.id) is not None


def test_the_same_event_delivered_three_times_at_once_fulfils_once(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    row = checkout(db, settings, s)
    s.provider.pay(row.provider_session_id or "", "4242424242424242")
    completed = next(e for e in s.provider.pending_events() if e["type"] == "checkout.session.completed")

    def arrive(_: int) -> str:
        return run_event(db, settings, store_event(db, settings, completed))

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(arrive, range(3)))
    with db.transaction() as session:
        assert session.scalar(select(func.count(Order.id))) == 1
        held = entitlements.held(session, s.world.store_id, s.learner.user_id, "course", s.world.course_id)
        assert len(held) == 1
        assert session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.kind == "purchase.completed")) == 1


def test_the_success_redirect_and_the_webhook_fulfil_once_together(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    row = checkout(db, settings, s)
    s.provider.pay(row.provider_session_id or "", "4242424242424242")
    with db.transaction() as session:
        first = fulfil(session, s.provider, session.get(CheckoutSession, row.id))  # the redirect, before any event
        assert first is not None
        first_id = first.id
    deliver(db, settings, s.provider)
    order = order_of(db, row.id)
    assert order is not None and order.id == first_id


def test_an_event_naming_an_unpaid_session_grants_nothing(db: Database, settings: Settings) -> None:
    """A forged-but-signed or early event is not taken at its word: the provider is asked."""
    s = shop(db, settings)
    row = checkout(db, settings, s)
    fake = {
        "id": "evt_early",
        "type": "checkout.session.completed",
        "data": {"object": {"id": row.provider_session_id}},
    }
    assert run_event(db, settings, store_event(db, settings, fake)) == "processed"
    assert order_of(db, row.id) is None and not paid_lessons_visible(db, s)


def test_a_full_refund_revokes_the_course(db: Database, settings: Settings) -> None:
    s, _, order = bought(db, settings)
    with db.transaction() as session:
        refunded = refunds.refund_order(session, s.world.owner, s.provider, order.id)
        assert (refunded.status, refunded.amount_refunded, refunded.fee_refunded) == ("refunded", 4999, 500)
    deliver(db, settings, s.provider)  # the provider's refund events change nothing more
    assert not paid_lessons_visible(db, s)
    with db.transaction() as session:
        assert session.get(Order, order.id).amount_refunded == 4999
        assert session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.kind == "refund")) == 1


def test_a_partial_refund_keeps_access(db: Database, settings: Settings) -> None:
    s, _, order = bought(db, settings)
    with db.transaction() as session:
        refunded = refunds.refund_order(session, s.world.owner, s.provider, order.id, 1000)
        assert (refunded.status, refunded.amount_refunded, refunded.fee_refunded) == ("partially_refunded", 1000, 100)
    deliver(db, settings, s.provider)
    assert paid_lessons_visible(db, s)


def test_a_refund_over_what_is_left_names_the_amount(db: Database, settings: Settings) -> None:
    s, _, order = bought(db, settings)
    with db.transaction() as session, pytest.raises(Exception, match="amount: must be from 1 to 4999"):
        refunds.refund_order(session, s.world.owner, s.provider, order.id, 5000)


def test_a_dispute_suspends_a_won_one_restores(db: Database, settings: Settings) -> None:
    s, _, order = bought(db, settings)
    dispute = s.provider.dispute(order.charge_id or "")
    deliver(db, settings, s.provider)
    assert not paid_lessons_visible(db, s)
    s.provider.close_dispute(dispute["id"], won=True)
    deliver(db, settings, s.provider)
    assert paid_lessons_visible(db, s)


def test_a_lost_dispute_revokes_and_the_order_cannot_be_refunded_too(db: Database, settings: Settings) -> None:
    s, _, order = bought(db, settings)
    dispute = s.provider.dispute(order.charge_id or "")
    deliver(db, settings, s.provider)
    with db.transaction() as session, pytest.raises(Conflict, match="disputed"):
        refunds.refund_order(session, s.world.owner, s.provider, order.id)
    s.provider.close_dispute(dispute["id"], won=False)
    deliver(db, settings, s.provider)
    assert not paid_lessons_visible(db, s)
    with db.transaction() as session:
        assert session.get(Order, order.id).status == "dispute_lost"
        with pytest.raises(Conflict):
            refunds.refund_order(session, s.world.owner, s.provider, order.id)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_sessions_events_in_any_order_end_in_the_right_state(db: Database, settings: Settings, seed: int) -> None:
    """Completed, refunded and their companions shuffled: a refund before the order waits, then applies."""
    s = shop(db, settings)
    row = checkout(db, settings, s)
    s.provider.pay(row.provider_session_id or "", "4242424242424242")
    charge_id = s.provider.retrieve_checkout(row.provider_session_id or "")["charge"]  # refunded before we heard
    s.provider.refund(charge_id, 4999, "refund-early")
    events = s.provider.pending_events()
    random.Random(seed).shuffle(events)
    waiting = []
    for e in events:
        row_id = store_event(db, settings, e)
        if run_event(db, settings, row_id) == "waiting":
            waiting.append(row_id)
    for row_id in waiting:  # what the retries and the sweeper do
        assert run_event(db, settings, row_id) == "processed"
    order = order_of(db, row.id)
    assert order is not None and order.status == "refunded" and not paid_lessons_visible(db, s)


def test_buying_what_one_holds_is_refused_without_a_charge(db: Database, settings: Settings) -> None:
    s, _, _ = bought(db, settings)
    with pytest.raises(Conflict, match="already have"):
        checkout(db, settings, s)


def test_a_won_dispute_after_a_partial_refund_keeps_the_refund(db: Database, settings: Settings) -> None:
    s, _, order = bought(db, settings)
    with db.transaction() as session:
        refunds.refund_order(session, s.world.owner, s.provider, order.id, 999)
    dispute = s.provider.dispute(order.charge_id or "")
    s.provider.close_dispute(dispute["id"], won=True)
    deliver(db, settings, s.provider)
    with db.transaction() as session:
        after = session.get(Order, order.id)
        assert after is not None and (after.status, after.amount_refunded) == ("partially_refunded", 999)
    assert paid_lessons_visible(db, s)
