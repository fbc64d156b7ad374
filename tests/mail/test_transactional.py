"""Receipts and notices from commerce's order events: one message per event, even handled twice."""

from __future__ import annotations

from sqlalchemy import select, update

from commerce import refunds
from commerce.models import Order, OrderEvent
from core.db import Database
from core.settings import Settings
from mail.models import Contact, MailMessage
from mail.providers.outbox import OutboxProvider
from mail.tasks import pump
from mail.transactional import collect
from tests.commerce.factories import checkout, deliver, shop
from tests.mail.factories import bought


def messages(db: Database) -> list[MailMessage]:
    with db.transaction() as s:
        rows = list(s.scalars(select(MailMessage).order_by(MailMessage.created_at, MailMessage.id)))
        s.expunge_all()
        return rows


def test_a_purchase_queues_one_receipt_to_the_buyer(db: Database, settings: Settings) -> None:
    s, _ = bought(db, settings)
    collect(db, settings)
    receipt = next(m for m in messages(db) if m.subject.startswith("Your receipt"))
    assert receipt.to_email == s.world.learner_email and receipt.kind == "transactional"
    assert "The course: 49.99 USD" in receipt.text and "Total: 49.99 USD" in receipt.text
    assert f"/s/{s.world.slug}/orders" in receipt.html
    declined = [m for m in messages(db) if "did not go through" in m.subject]
    assert len(declined) == 1 and "declined" in declined[0].text
    with db.transaction() as session:
        assert session.scalar(select(OrderEvent.id).where(OrderEvent.handled_at.is_(None))) is None
        buyer = session.scalars(select(Contact)).one()  # a contact now, with no marketing consent
        assert (buyer.email, buyer.status, buyer.source) == (s.world.learner_email, "none", "purchase")


def test_an_event_handled_again_sends_no_second_receipt(db: Database, settings: Settings) -> None:
    bought(db, settings)
    collect(db, settings)
    before = len(messages(db))
    with db.transaction() as session:  # a crash between queueing and marking: the events come round again
        session.execute(update(OrderEvent).values(handled_at=None))
    collect(db, settings)
    assert len(messages(db)) == before


def test_a_refund_tells_the_buyer_and_a_dispute_sends_nothing(db: Database, settings: Settings) -> None:
    s, order_id = bought(db, settings)
    with db.transaction() as session:
        refunds.refund_order(session, s.world.owner, s.provider, order_id, 1000)
    order = _order(db, order_id)
    s.provider.dispute(order.charge_id or "")
    deliver(db, settings, s.provider)
    collect(db, settings)
    subjects = [m.subject for m in messages(db)]
    assert sum(x.startswith("Your refund") for x in subjects) == 1 and len(subjects) == 3
    refund = next(m for m in messages(db) if m.subject.startswith("Your refund"))
    assert "10.00 USD has been refunded" in refund.text


def _order(db: Database, order_id: str) -> Order:
    with db.transaction() as session:
        order = session.get(Order, order_id)
        assert order is not None
        session.expunge(order)
        return order


def test_the_pump_delivers_the_receipt_to_the_outbox(db: Database, settings: Settings) -> None:
    s, _ = bought(db, settings)
    done = pump(db, settings)
    assert done.sent == 4  # the declined attempt's notice, then the receipt (and the welcome, the enrollment)
    inbox = OutboxProvider(settings.data_dir).messages(to_email=s.world.learner_email)
    assert {m.subject for m in inbox} == {
        "Welcome to Store shop",
        "You are enrolled in shop course",
        "Your receipt from Store shop",
        "Your payment to Store shop did not go through",
    }
    assert pump(db, settings).sent == 0


def test_a_receipt_wears_the_stores_colours_and_logo(db: Database, settings: Settings) -> None:
    from core import identity

    s = shop(db, settings)
    with db.transaction() as session:
        brand = {"color": "#7a1f5c", "logo_url": "https://cdn.example.com/mix.png"}
        identity.update_store(session, s.world.owner, brand=brand)
    row = checkout(db, settings, s)
    s.provider.pay(row.provider_session_id or "", "4242 4242 4242 4242")
    deliver(db, settings, s.provider)
    collect(db, settings)
    receipt = next(m for m in messages(db) if m.subject.startswith("Your receipt"))
    assert "background:#7a1f5c" in receipt.html and 'src="https://cdn.example.com/mix.png"' in receipt.html
    assert "#7a1f5c" not in receipt.text
