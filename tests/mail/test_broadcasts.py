"""Broadcasts: one message per subscribed contact of the audience, personal and with its unsubscribe
link; a crash mid-broadcast resumes with no duplicate and no gap; cancelling stops what is not sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import Database, utcnow
from core.settings import Settings
from mail import broadcasts, contacts, library
from mail.models import MailBroadcast, MailMessage
from mail.providers.outbox import OutboxProvider
from mail.tasks import pump
from mail.templates import render
from tests.conftest import StoreWorld

BODY = "<p>Hi {{ contact.first_name }}, a new module is out. <a href='{{ unsubscribe_url }}'>Unsubscribe</a></p>"


def audience(db: Database, store: StoreWorld, n: int, tags: list[str] | None = None) -> None:
    with db.transaction() as s:
        for i in range(n):
            contacts.add_contact(s, store.owner, f"fan{i:03}@example.com", f"Fan{i} Lee", subscribed=True, tags=tags)
        contacts.add_contact(s, store.owner, "quiet@example.com", "Quiet")  # no consent: not in any audience


def drafted(db: Database, settings: Settings, store: StoreWorld, tags: list[str] | None = None) -> str:
    with db.transaction() as s:
        template = library.create_template(s, store.owner, settings, "News", "News for {{ contact.first_name }}", BODY)
        broadcast = broadcasts.create_broadcast(s, store.owner, "Module 2", template.id, tags)
        broadcasts.schedule(s, store.owner, broadcast.id)
        return broadcast.id


def messages(db: Database, broadcast_id: str) -> list[MailMessage]:
    with db.transaction() as s:
        rows = list(s.scalars(select(MailMessage).where(MailMessage.broadcast_id == broadcast_id)))
        s.expunge_all()
        return rows


def test_every_subscribed_contact_gets_one_personal_message_with_its_link(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    audience(db, store_a, 5)
    broadcast_id = drafted(db, settings, store_a)
    assert broadcasts.advance(db, settings) == 5  # the five fans (the contact without consent is no candidate)
    queued = messages(db, broadcast_id)
    assert sorted(m.to_email for m in queued) == [f"fan{i:03}@example.com" for i in range(5)]
    first = next(m for m in queued if m.to_email == "fan000@example.com")
    assert first.subject == "News for Fan0" and "Hi Fan0" in first.text and first.kind == "broadcast"
    assert first.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and "/u/" in first.text
    broadcasts.advance(db, settings)
    with db.transaction() as s:
        done = s.get(MailBroadcast, broadcast_id)
        assert done is not None and (done.status, done.queued) == ("sent", 5)


def test_a_crash_mid_broadcast_resumes_with_no_duplicate_and_no_gap(
    db: Database, settings: Settings, store_a: StoreWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    audience(db, store_a, 12)
    broadcast_id = drafted(db, settings, store_a)
    real, calls = render, [0]

    def crashing(*args: Any) -> Any:
        calls[0] += 1
        if calls[0] == 8:  # inside the second batch of five
            raise RuntimeError("the process died")
        return real(*args)

    monkeypatch.setattr(broadcasts, "render", crashing)
    assert broadcasts.fan_out_batch(db, settings, broadcast_id, batch=5) == 5
    with pytest.raises(RuntimeError):
        broadcasts.fan_out_batch(db, settings, broadcast_id, batch=5)
    assert len(messages(db, broadcast_id)) == 5  # the second batch left nothing behind
    monkeypatch.setattr(broadcasts, "render", real)
    while broadcasts.fan_out_batch(db, settings, broadcast_id, batch=5):
        pass
    sent_to = [m.to_email for m in messages(db, broadcast_id)]
    assert sorted(sent_to) == [f"fan{i:03}@example.com" for i in range(12)]  # each once, none missing


def test_an_audience_by_tag(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    audience(db, store_a, 3, tags=["mixing"])
    with db.transaction() as s:
        contacts.add_contact(s, store_a.owner, "other@example.com", "Other", subscribed=True, tags=["drums"])
    broadcast_id = drafted(db, settings, store_a, tags=["mixing"])
    broadcasts.advance(db, settings)
    assert len(messages(db, broadcast_id)) == 3


def test_a_scheduled_broadcast_waits_for_its_time(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    audience(db, store_a, 2)
    with db.transaction() as s:
        template = library.create_template(s, store_a.owner, settings, "Later", "Later", BODY)
        later = broadcasts.create_broadcast(s, store_a.owner, "Later", template.id)
        broadcasts.schedule(s, store_a.owner, later.id, at=utcnow() + timedelta(hours=1))
    assert broadcasts.advance(db, settings) == 0 and messages(db, later.id) == []


def test_cancelling_stops_what_is_not_sent(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    audience(db, store_a, 4)
    broadcast_id = drafted(db, settings, store_a)
    broadcasts.advance(db, settings)
    with db.transaction() as s:
        broadcasts.cancel(s, store_a.owner, broadcast_id)
    pump(db, settings)
    assert {m.status for m in messages(db, broadcast_id)} == {"cancelled"}
    assert [m for m in OutboxProvider(settings.data_dir).messages() if m.subject.startswith("News")] == []


def sent_to_three(db: Database, settings: Settings, store: StoreWorld) -> str:
    """A broadcast to three subscribed contacts, pumped until it is all sent; its id."""
    audience(db, store, 3)
    broadcast_id = drafted(db, settings, store)
    while pump(db, settings).more:
        pass
    return broadcast_id


def test_the_pump_sends_a_broadcast_and_its_stats_count_it(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    broadcast_id = sent_to_three(db, settings, store_a)
    with db.transaction() as s:
        counted = broadcasts.stats(s, store_a.owner, broadcast_id)
        assert counted.recipients == 3 and counted.by_status == {"sent": 3}
        assert s.scalar(select(func.count(MailMessage.id)).where(MailMessage.kind == "broadcast")) == 3
    assert len([m for m in OutboxProvider(settings.data_dir).messages() if m.subject.startswith("News")]) == 3


def test_a_store_at_its_queued_cap_waits_to_fan_out_more(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    audience(db, store_a, 5)
    broadcast_id = drafted(db, settings, store_a)
    capped = settings.model_copy(update={"mail_max_queued_per_store": 3})
    assert broadcasts.fan_out_batch(db, capped, broadcast_id, batch=2) == 2
    assert broadcasts.fan_out_batch(db, capped, broadcast_id, batch=2) == 0  # 2 held + 2 more would pass 3
    assert len(messages(db, broadcast_id)) == 2
    with db.transaction() as s:
        assert s.scalar(select(MailBroadcast.status).where(MailBroadcast.id == broadcast_id)) == "sending"


def test_stats_count_who_unsubscribed_after_it_reached_them(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    broadcast_id = sent_to_three(db, settings, store_a)
    with db.transaction() as s:
        contacts.unsubscribe(s, contacts.Addressee(store_a.store_id, "fan001@example.com"))
        assert broadcasts.stats(s, store_a.owner, broadcast_id).unsubscribed == 1
