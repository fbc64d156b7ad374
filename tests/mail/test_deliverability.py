"""Deliverability: a store whose complaints pass 0.3% (or hard bounces 5%) is paused from marketing,
told why, and refused new sends with the reason; its receipts still go; the pause lifts when the
rates are back under. Old provider events are forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.db import Database, utcnow
from core.errors import Conflict
from core.settings import Settings
from mail import broadcasts, deliverability, library
from mail.inbound.base import forget_old
from mail.models import MailMessage, MailPause, MailWebhookEvent
from mail.queue import claim
from tests.conftest import StoreWorld
from tests.mail.factories import queued


def sent(db: Database, store: StoreWorld, n: int, complaints: int = 0, bounces: int = 0) -> None:
    """`n` marketing messages of the store sent today, some complained about or hard-bounced."""
    rows = queued(db, store.store_id, n, kind="broadcast", key="sent")
    with db.transaction() as s:
        s.execute(
            update(MailMessage).where(MailMessage.id.in_([r.id for r in rows])).values(status="sent", sent_at=utcnow())
        )
        s.execute(
            update(MailMessage)
            .where(MailMessage.id.in_([r.id for r in rows[:complaints]]))
            .values(complained_at=utcnow())
        )
        s.execute(update(MailMessage).where(MailMessage.id.in_([r.id for r in rows[complaints:complaints + bounces]])).values(bounce="hard"))  # fmt: skip


def notices(db: Database, to: str) -> list[str]:
    with db.transaction() as s:
        return list(s.scalars(select(MailMessage.subject).where(MailMessage.to_email == to)))


def test_complaints_over_the_limit_pause_marketing_and_tell_the_owner(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    sent(db, store_a, 1000, complaints=4)  # 0.4%
    assert deliverability.review(db) == [store_a.store_id]
    assert deliverability.review(db) == []  # once
    assert notices(db, store_a.owner_email) == ["Your store's marketing mail is paused"]
    with db.transaction() as s:
        pause = s.scalars(select(MailPause)).one()
        assert "0.40% of the 1,000 messages" in pause.reason and "marked as spam" in pause.reason


def test_a_paused_store_sends_receipts_but_no_marketing(db: Database, store_a: StoreWorld, store_b: StoreWorld) -> None:
    sent(db, store_a, 200, bounces=20)  # 10% hard bounces
    deliverability.review(db)
    news = queued(db, store_a.store_id, 2, kind="broadcast", key="news")
    receipt = queued(db, store_a.store_id, 1, key="receipt")
    theirs = queued(db, store_b.store_id, 1, kind="broadcast", key="theirs")
    claimed = {m.id for m in claim(db, 20)}
    assert receipt[0].id in claimed and theirs[0].id in claimed and not claimed & {m.id for m in news}


def test_scheduling_while_paused_is_refused_with_the_reason(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    sent(db, store_a, 1000, complaints=10)
    deliverability.review(db)
    with db.transaction() as s:
        template = library.create_template(s, store_a.owner, settings, "N", "News", "<p>Hi</p>")
        draft = broadcasts.create_broadcast(s, store_a.owner, "News", template.id)
    with pytest.raises(Conflict, match=r"marketing mail is paused for this store: 1\.00%"), db.transaction() as s:
        broadcasts.schedule(s, store_a.owner, draft.id)


def test_a_few_complaints_on_little_mail_pause_nothing(db: Database, store_a: StoreWorld) -> None:
    sent(db, store_a, 20, complaints=2)  # 10%, but of 20 messages
    assert deliverability.review(db) == []


def test_the_pause_lifts_when_the_rates_are_back_under(db: Database, store_a: StoreWorld) -> None:
    sent(db, store_a, 1000, complaints=5)
    deliverability.review(db)
    later = utcnow() + timedelta(days=31)  # those messages left the window
    assert deliverability.review(db, later) == [store_a.store_id]
    with db.transaction() as s:
        assert s.scalars(select(MailPause)).one().lifted_at is not None
    assert "Your store's marketing mail is sending again" in notices(db, store_a.owner_email)


def test_old_provider_events_are_forgotten(db: Database) -> None:
    with db.transaction() as s:
        s.add(MailWebhookEvent(provider="resend", event_id="old", type="email.delivered", payload={}, outcome="applied",
                               received_at=utcnow() - timedelta(days=40)))  # fmt: skip
        s.add(
            MailWebhookEvent(provider="resend", event_id="new", type="email.delivered", payload={}, outcome="applied")
        )
    assert forget_old(db) == 1
    with db.transaction() as s:
        assert list(s.scalars(select(MailWebhookEvent.event_id))) == ["new"]
