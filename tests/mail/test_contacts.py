"""Contacts and consent: one per store and address, consent recorded, buyers made contacts without
marketing consent, and an unsubscribe that stops marketing mail (queued or not) but not receipts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import Database
from core.errors import Forbidden, Unauthorized, ValidationFailed
from core.settings import Settings
from mail import contacts
from mail.models import Contact, MailMessage
from mail.queue import claim, enqueue, send_claimed
from tests.conftest import StoreWorld, principal_of
from tests.mail.factories import ScriptedProvider, queued


def test_a_contact_is_one_per_store_and_address_with_its_consent(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        first = contacts.add_contact(s, store_a.owner, " Ann@Example.com ", "Ann", subscribed=True, tags=["vip"])
        again = contacts.add_contact(s, store_a.owner, "ann@example.com", tags=["mixing"])
        assert first.id == again.id and again.email == "ann@example.com"
        assert again.status == "subscribed" and again.consent_at is not None and again.tags == ["mixing", "vip"]


def test_a_bad_address_is_refused_naming_the_field(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s, pytest.raises(ValidationFailed, match="email"):
        contacts.add_contact(s, store_a.owner, "ann at example")


def test_a_learner_cannot_read_or_add_contacts(db: Database, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s, pytest.raises(Forbidden):
        contacts.add_contact(s, learner, "ann@example.com")


def test_an_unsubscribe_stops_marketing_even_already_queued_but_not_receipts(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    [news] = queued(db, store_a.store_id, kind="broadcast", key="news")
    token = contacts.unsubscribe_token(settings, store_a.store_id, "ann@example.com")
    with db.transaction() as s:
        contacts.unsubscribe(s, contacts.addressee(settings, token))
        contacts.unsubscribe(s, contacts.addressee(settings, token))  # twice is once
    [receipt] = queued(db, store_a.store_id, key="receipt")
    [later] = queued(db, store_a.store_id, kind="broadcast", key="later")
    assert later.status == "suppressed" and receipt.status == "queued"
    provider = ScriptedProvider()
    outcome = send_claimed(db, provider, claim(db, 20), "mail@academy.test")  # the newsletter was queued before
    assert (outcome.sent, outcome.suppressed) == (1, 1) and [m.id for m in provider.accepted] == [receipt.id]
    with db.transaction() as s:
        contact = s.scalars(select(Contact)).one()
        assert contact.status == "unsubscribed" and contact.unsubscribed_at is not None
        assert s.scalar(select(MailMessage.status).where(MailMessage.id == news.id)) == "suppressed"


def test_an_unsubscribe_link_is_the_same_each_time_and_cannot_be_forged(settings: Settings) -> None:
    token = contacts.unsubscribe_token(settings, "sto_1", "ann@example.com")
    assert token == contacts.unsubscribe_token(settings, "sto_1", "ann@example.com")
    headers = contacts.unsubscribe_headers(settings, "sto_1", "ann@example.com")
    assert headers["List-Unsubscribe"] == f"<{settings.public_base_url}/u/{token}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body, _ = token.split(".")
    with pytest.raises(Unauthorized, match="signature"):
        contacts.addressee(settings, body + ".c2lnbmF0dXJl")


def test_marketing_mail_without_its_unsubscribe_link_is_not_queued(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s, pytest.raises(ValueError, match="unsubscribe"):
        enqueue(s, store_a.store_id, "broadcast", "ann@example.com", "News", "<p>n</p>", "n", "k")
