"""The send queue: one message per key, sent once and only when accepted, retried without counting,
fair across stores, never to a suppressed address, and safe when a pump dies mid-round."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import Database, utcnow
from core.errors import ValidationFailed
from core.settings import Settings
from mail.models import MailMessage, Suppression
from mail.providers.base import Outgoing, Refused, TryLater
from mail.providers.outbox import OutboxProvider
from mail.queue import claim, enqueue, release_stale, send_claimed, suppress
from tests.conftest import StoreWorld
from tests.mail.factories import ScriptedProvider, queued

FROM = "mail@academy.test"


def message(db: Database, message_id: str) -> MailMessage:
    with db.transaction() as s:
        row = s.get(MailMessage, message_id)
        assert row is not None
        s.expunge(row)
        return row


def test_the_same_key_queues_one_message(db: Database, store_a: StoreWorld) -> None:
    first, again = queued(db, store_a.store_id, key="k")[0], queued(db, store_a.store_id, key="k")[0]
    assert first.id == again.id
    with db.transaction() as s:
        assert len(s.scalars(select(MailMessage.id)).all()) == 1


def test_a_malformed_address_is_refused_naming_the_field(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s, pytest.raises(ValidationFailed, match="to_email"):
        enqueue(s, store_a.store_id, "transactional", "not an address", "Hi", "<p>x</p>", "x", "bad")


def test_a_message_is_sent_once_to_the_outbox(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    [row] = queued(db, store_a.store_id)
    outbox = OutboxProvider(settings.data_dir)
    assert send_claimed(db, outbox, claim(db, 20), FROM).sent == 1
    assert claim(db, 20) == []
    sent = message(db, row.id)
    assert sent.status == "sent" and sent.provider == "outbox" and sent.sent_at is not None
    assert [m.subject for m in outbox.messages(to_email="ann@example.com")] == ["Subject 0"]


def test_try_later_puts_it_back_and_never_counts_as_sent(db: Database, store_a: StoreWorld) -> None:
    [row] = queued(db, store_a.store_id)
    provider = ScriptedProvider([TryLater("429 too many requests", retry_after=90)])
    assert send_claimed(db, provider, claim(db, 20), FROM).retried == 1
    back = message(db, row.id)
    assert back.status == "queued" and back.attempts == 1 and back.sent_at is None
    assert timedelta(seconds=80) < back.next_attempt_at - utcnow() <= timedelta(seconds=90)
    assert claim(db, 20) == []  # not due yet
    assert send_claimed(db, provider, claim(db, 20, now=utcnow() + timedelta(seconds=91)), FROM).sent == 1
    assert len(provider.accepted) == 1


def test_a_refused_message_fails(db: Database, store_a: StoreWorld) -> None:
    [row] = queued(db, store_a.store_id)
    assert send_claimed(db, ScriptedProvider([Refused("invalid recipient")]), claim(db, 20), FROM).failed == 1
    assert message(db, row.id).status == "failed" and "invalid recipient" in message(db, row.id).last_error


def test_a_hard_bounced_address_gets_no_mail_at_all(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        s.add(Suppression(store_id=store_a.store_id, email="ann@example.com", reason="hard_bounce"))
    [row] = queued(db, store_a.store_id)
    assert message(db, row.id).status == "suppressed" and claim(db, 20) == []


def test_an_unsubscribed_address_gets_receipts_but_no_broadcast(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        s.add(Suppression(store_id=store_a.store_id, email="ann@example.com", reason="unsubscribed"))
    [receipt] = queued(db, store_a.store_id, key="receipt")
    [news] = queued(db, store_a.store_id, kind="broadcast", key="news")
    assert (message(db, receipt.id).status, message(db, news.id).status) == ("queued", "suppressed")


def test_a_bounce_after_an_unsubscribe_stops_receipts_too(db: Database, store_a: StoreWorld) -> None:
    """Regression: the unsubscribe's reason stayed, and receipts kept going to a bouncing address."""
    with db.transaction() as s:
        suppress(s, store_a.store_id, "ann@example.com", "unsubscribed")
        suppress(s, store_a.store_id, "ann@example.com", "hard_bounce")
        suppress(s, store_a.store_id, "ann@example.com", "unsubscribed")  # a later unsubscribe weakens nothing
    [receipt] = queued(db, store_a.store_id)
    assert message(db, receipt.id).status == "suppressed"


def test_a_bounce_between_queueing_and_sending_stops_the_send(db: Database, store_a: StoreWorld) -> None:
    [row] = queued(db, store_a.store_id)
    claimed = claim(db, 20)
    with db.transaction() as s:
        s.add(Suppression(store_id=store_a.store_id, email="ann@example.com", reason="complaint"))
    provider = ScriptedProvider()
    assert send_claimed(db, provider, claimed, FROM).suppressed == 1 and provider.accepted == []
    assert message(db, row.id).status == "suppressed"


def test_a_pump_that_died_mid_round_is_sent_once_after_the_lease(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    [row] = queued(db, store_a.store_id)
    outbox = OutboxProvider(settings.data_dir)
    died = claim(db, 20)
    outbox.send(send_outgoing := _outgoing(died[0]))  # the provider took it; the pump died before marking it
    assert release_stale(db) == 0  # within the lease nobody takes it
    assert release_stale(db, now=utcnow() + timedelta(minutes=6)) == 1
    assert send_claimed(db, outbox, claim(db, 20), FROM).sent == 1
    assert message(db, row.id).status == "sent" and send_outgoing.id == row.id
    assert len(outbox.messages(to_email="ann@example.com")) == 1  # the same idempotency key: kept once


def _outgoing(row: MailMessage) -> Outgoing:
    return Outgoing(row.id, row.store_id, row.to_email, row.from_name, FROM, row.subject, row.html, row.text)


def test_another_stores_receipt_goes_out_in_the_first_round_behind_a_big_broadcast(
    db: Database, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    queued(db, store_a.store_id, n=300, kind="broadcast", to="fan@example.com")
    [receipt] = queued(db, store_b.store_id)
    first_round = claim(db, 20)
    assert first_round[0].id == receipt.id  # transactional first
    assert sum(m.store_id == store_a.store_id for m in first_round) == 20  # the big store gets its share, no more


def test_two_pumps_never_claim_the_same_message(db: Database, store_a: StoreWorld, store_b: StoreWorld) -> None:
    queued(db, store_a.store_id, n=60)
    queued(db, store_b.store_id, n=60)

    def pump() -> list[str]:
        taken: list[str] = []
        while ids := [m.id for m in claim(db, 10)]:
            taken += ids
        return taken

    with ThreadPoolExecutor(4) as pool:
        claimed = [i for ids in pool.map(lambda _: pump(), range(4)) for i in ids]
    assert len(claimed) == len(set(claimed)) == 120
