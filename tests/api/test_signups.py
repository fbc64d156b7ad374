"""Signing up with double opt-in, over HTTP: the store page's form and the JSON endpoint send one
confirmation; opening the link asks, posting it subscribes (and starts the welcome workflow); a
forged or expired link is refused; topics are chosen on the form and changed on the preferences page."""

from __future__ import annotations

import re
import time
from unittest import mock

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import Database
from core.settings import Settings
from mail import contacts, optin
from mail.models import Contact, MailMessage
from tests.conftest import StoreWorld, login


def confirmation_link(db: Database, to: str) -> str:
    with db.transaction() as s:
        (text,) = s.scalars(
            select(MailMessage.text).where(MailMessage.to_email == to, MailMessage.subject.startswith("Confirm"))
        )
    found = re.search(r"/c/\S+", text)
    assert found
    return found.group(0)


def contact(db: Database, email: str) -> Contact:
    with db.transaction() as s:
        row = s.scalars(select(Contact).where(Contact.email == email)).one()
        s.expunge(row)
        return row


def test_the_store_pages_form_sends_one_confirmation_and_the_link_subscribes(
    client: TestClient, db: Database, store_a: StoreWorld
) -> None:
    page = client.get(f"/s/{store_a.slug}")
    assert f'action="/s/{store_a.slug}/subscribe"' in page.text
    for _ in range(2):  # sent twice: one confirmation (an hour's)
        answer = client.post(f"/s/{store_a.slug}/subscribe", data={"email": "Fan@Example.com", "name": "Fan"})
        assert answer.status_code == 200 and "Check your inbox" in answer.text
    with db.transaction() as s:
        assert len(list(s.scalars(select(MailMessage).where(MailMessage.to_email == "fan@example.com")))) == 1
    assert contact(db, "fan@example.com").status == "pending"
    link = confirmation_link(db, "fan@example.com")
    assert "Yes, subscribe me" in client.get(link).text and contact(db, "fan@example.com").status == "pending"
    assert "You are subscribed" in client.post(link).text
    subscribed = contact(db, "fan@example.com")
    assert (subscribed.status, subscribed.source) == ("subscribed", "form") and subscribed.consent_at is not None


def test_the_json_sign_up_answers_pending_then_subscribed(
    client: TestClient, db: Database, store_a: StoreWorld
) -> None:
    answer = client.post(f"/v1/stores/{store_a.slug}/subscribe", json={"email": "dev@example.com"})
    assert answer.status_code == 202 and answer.json() == {"status": "pending"}
    client.post(confirmation_link(db, "dev@example.com"))
    again = client.post(f"/v1/stores/{store_a.slug}/subscribe", json={"email": "dev@example.com"})
    assert again.json() == {"status": "subscribed"}


def test_a_bad_address_is_a_422_naming_it(client: TestClient, store_a: StoreWorld) -> None:
    answer = client.post(f"/v1/stores/{store_a.slug}/subscribe", json={"email": "not-an-address"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "email"


def test_a_forged_confirmation_link_subscribes_nobody(client: TestClient, db: Database, store_a: StoreWorld) -> None:
    client.post(f"/v1/stores/{store_a.slug}/subscribe", json={"email": "fan@example.com"})
    link = confirmation_link(db, "fan@example.com")
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    answer = client.post(forged)
    assert answer.status_code == 401 and "not valid" in answer.text
    assert contact(db, "fan@example.com").status == "pending"


def test_an_expired_confirmation_link_asks_to_sign_up_again(
    client: TestClient, db: Database, store_a: StoreWorld
) -> None:
    client.post(f"/v1/stores/{store_a.slug}/subscribe", json={"email": "fan@example.com"})
    link = confirmation_link(db, "fan@example.com")
    with mock.patch("core.security.time.time", return_value=time.time() + optin.TTL + 60):
        answer = client.post(link)
    assert answer.status_code == 401 and "expired: sign up again" in answer.text


def test_topics_are_chosen_on_the_form_and_changed_on_the_preferences_page(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    for key, name in (("news", "News"), ("offers", "Offers")):
        assert client.post("/v1/mail/topics", json={"key": key, "name": name}, headers=owner).status_code == 201
    client.cookies.clear()
    assert 'name="topic" value="offers"' in client.get(f"/s/{store_a.slug}").text
    client.post(f"/s/{store_a.slug}/subscribe", data={"email": "fan@example.com", "topic": ["news", "offers"]})
    client.post(confirmation_link(db, "fan@example.com"))
    assert contact(db, "fan@example.com").topics == ["news", "offers"]
    token = contacts.unsubscribe_token(settings, store_a.store_id, "fan@example.com")
    assert 'value="offers" checked' in client.get(f"/u/{token}").text
    saved = client.post(f"/u/{token}/preferences", data={"topic": ["news"]})
    assert saved.status_code == 200 and "Your choices are saved" in saved.text
    chosen = contact(db, "fan@example.com")
    assert (chosen.topics, chosen.status) == (["news"], "subscribed")
