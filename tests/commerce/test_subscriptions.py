"""Memberships paid by the period, on the local provider and on the Stripe adapter: the subscription
beside its first order, renewals as orders of their own (once per invoice), access that follows the
subscription (kept while a card is retried, gone when it ends), and a member's cancel at period end."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from commerce import receipts, subscriptions
from commerce.models import Order, OrderEvent, Subscription
from commerce.tasks import run_event
from core.db import Database
from core.errors import Conflict
from core.settings import Settings
from tests.commerce.factories import MONTHLY, Shop, checkout, deliver, member_shop, store_event
from tests.commerce.test_payments import paid_lessons_visible


def joined(db: Database, settings: Settings) -> tuple[Shop, Subscription]:
    s = member_shop(db, settings)
    row = checkout(db, settings, s)
    assert s.provider.pay(row.provider_session_id or "", "4242 4242 4242 4242") == "paid"
    deliver(db, settings, s.provider)
    return s, subscription(db)


def subscription(db: Database) -> Subscription:
    with db.transaction() as session:
        sub = session.scalars(select(Subscription)).one()
        session.expunge(sub)
        return sub


def orders(db: Database) -> list[Order]:
    with db.transaction() as session:
        rows = list(session.scalars(select(Order).order_by(Order.created_at, Order.id)))
        session.expunge_all()
        return rows


def events_of(db: Database, kind: str) -> int:
    with db.transaction() as session:
        return len(session.scalars(select(OrderEvent.id).where(OrderEvent.kind == kind)).all())


def test_a_paid_membership_opens_its_courses_and_records_its_subscription(db: Database, settings: Settings) -> None:
    s, sub = joined(db, settings)
    assert paid_lessons_visible(db, s)
    [first] = orders(db)
    assert sub.status == "active" and not sub.cancel_at_period_end
    assert first.subscription_id == sub.id and first.invoice_id and first.total == MONTHLY
    assert sub.current_period_end is not None and 27 <= (sub.current_period_end - first.created_at).days <= 31


def test_a_renewal_is_an_order_of_its_own_and_keeps_access(db: Database, settings: Settings) -> None:
    s, sub = joined(db, settings)
    assert s.provider.renew(sub.provider_subscription_id) == "renewed"
    deliver(db, settings, s.provider)
    first, renewal = orders(db)
    assert renewal.checkout_session_id is None and renewal.subscription_id == sub.id
    assert (renewal.total, renewal.platform_fee, renewal.net) == (MONTHLY, 150, 1350)
    assert renewal.charge_id and renewal.invoice_id != first.invoice_id
    assert subscription(db).current_period_end > sub.current_period_end  # type: ignore[operator]
    assert paid_lessons_visible(db, s) and events_of(db, "subscription.renewed") == 1


def test_a_renewals_history_is_its_own(db: Database, settings: Settings) -> None:
    """Regression: a renewal has no checkout, and its history once matched every event without one."""
    s, sub = joined(db, settings)
    s.provider.renew(sub.provider_subscription_id, pays=False)  # a failed attempt, in the first order's history
    s.provider.renew(sub.provider_subscription_id)
    s.provider.renew(sub.provider_subscription_id)
    deliver(db, settings, s.provider)
    *_, second, third = orders(db)
    with db.transaction() as session:
        assert [e.kind for e in receipts.history(session, third)] == ["subscription.renewed"]
        assert [e.data["total"] for e in receipts.history(session, second)] == [MONTHLY]


def test_a_renewal_told_twice_is_recorded_once(db: Database, settings: Settings) -> None:
    s, sub = joined(db, settings)
    s.provider.renew(sub.provider_subscription_id)
    pending = s.provider.pending_events()
    deliver(db, settings, s.provider)
    paid = next(e for e in pending if e["type"] == "invoice.paid")
    again = json.loads(json.dumps(paid)) | {"id": paid["id"] + "_resent"}  # another event, the same invoice
    assert run_event(db, settings, store_event(db, settings, again)) == "processed"
    assert len(orders(db)) == 2 and events_of(db, "subscription.renewed") == 1


def test_a_failed_renewal_keeps_access_while_the_card_is_retried(db: Database, settings: Settings) -> None:
    s, sub = joined(db, settings)
    assert s.provider.renew(sub.provider_subscription_id, pays=False) == "past_due"
    deliver(db, settings, s.provider)
    assert subscription(db).status == "past_due" and paid_lessons_visible(db, s)
    assert events_of(db, "payment.failed") == 1 and len(orders(db)) == 1


def test_a_membership_that_ends_takes_its_courses_away(db: Database, settings: Settings) -> None:
    s, sub = joined(db, settings)
    s.provider.renew(sub.provider_subscription_id, pays=False)
    s.provider.end_subscription(sub.provider_subscription_id)
    deliver(db, settings, s.provider)
    assert subscription(db).status == "canceled" and not paid_lessons_visible(db, s)
    assert events_of(db, "subscription.ended") == 1


def test_an_unpaid_membership_is_suspended_and_a_paid_one_restored(db: Database, settings: Settings) -> None:
    s, sub = joined(db, settings)
    s.provider.end_subscription(sub.provider_subscription_id, status="unpaid")
    deliver(db, settings, s.provider)
    assert not paid_lessons_visible(db, s)
    assert s.provider.renew(sub.provider_subscription_id) == "renewed"
    deliver(db, settings, s.provider)
    assert subscription(db).status == "active" and paid_lessons_visible(db, s)


def test_a_cancelled_membership_lasts_until_its_period_ends(db: Database, settings: Settings) -> None:
    s, sub = joined(db, settings)
    with db.transaction() as session:
        cancelled = subscriptions.cancel(session, s.learner, s.provider, sub.id)
        assert cancelled.cancel_at_period_end and cancelled.status == "active"
        assert subscriptions.cancel(session, s.learner, s.provider, sub.id).cancel_at_period_end  # twice is once
    deliver(db, settings, s.provider)
    assert paid_lessons_visible(db, s)
    assert s.provider.renew(sub.provider_subscription_id) == "canceled"
    deliver(db, settings, s.provider)
    assert subscription(db).status == "canceled" and not paid_lessons_visible(db, s) and len(orders(db)) == 1
    with db.transaction() as session, pytest.raises(Conflict, match="ended already"):
        subscriptions.cancel(session, s.learner, s.provider, sub.id)


def test_subscription_events_before_the_checkout_wait_for_it(db: Database, settings: Settings) -> None:
    s = member_shop(db, settings)
    row = checkout(db, settings, s)
    s.provider.pay(row.provider_session_id or "", "4242 4242 4242 4242")
    events = s.provider.pending_events()  # the subscription's events come before the checkout's completion
    assert [e["type"] for e in events].index("customer.subscription.created") < len(events) - 1
    ids = [store_event(db, settings, e) for e in events]
    statuses = [run_event(db, settings, i) for i in ids]
    assert "waiting" in statuses
    assert {run_event(db, settings, i) for i in ids} <= {"processed", "ignored"}
    assert subscription(db).status == "active" and paid_lessons_visible(db, s) and len(orders(db)) == 1


def test_a_renewal_does_not_lift_an_open_dispute(db: Database, settings: Settings) -> None:
    s, sub = joined(db, settings)
    [first] = orders(db)
    s.provider.dispute(first.charge_id or "")
    deliver(db, settings, s.provider)
    s.provider.renew(sub.provider_subscription_id)
    deliver(db, settings, s.provider)
    assert not paid_lessons_visible(db, s)
