"""Unsubscribing over HTTP: opening the link only asks; the one-click POST (RFC 8058) unsubscribes with
no login and no cookie, as often as it comes; a forged link changes nothing. And the contacts API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import Database
from core.settings import Settings
from mail import contacts
from mail.models import Contact, Suppression
from tests.conftest import StoreWorld, login


def statuses(db: Database) -> list[str]:
    with db.transaction() as s:
        return list(s.scalars(select(Contact.status)))


def test_opening_the_link_only_asks(client: TestClient, db: Database, settings: Settings, store_a: StoreWorld) -> None:
    token = contacts.unsubscribe_token(settings, store_a.store_id, "ann@example.com")
    page = client.get(f"/u/{token}")
    assert page.status_code == 200 and "Unsubscribe from Store alpha?" in page.text and 'method="post"' in page.text
    assert statuses(db) == []


def test_one_click_unsubscribes_without_a_login_as_often_as_it_comes(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    token = contacts.unsubscribe_token(settings, store_a.store_id, "ann@example.com")
    client.cookies.clear()
    for _ in range(2):
        answer = client.post(f"/u/{token}", content="List-Unsubscribe=One-Click",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert answer.status_code == 200 and "You are unsubscribed" in answer.text
    assert statuses(db) == ["unsubscribed"]
    with db.transaction() as s:
        assert s.scalars(select(Suppression.reason)).all() == ["unsubscribed"]


def test_a_forged_link_is_refused_and_changes_nothing(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    body = contacts.unsubscribe_token(settings, store_a.store_id, "ann@example.com").split(".")[0]
    answer = client.post(f"/u/{body}.Zm9yZ2Vk")
    assert answer.status_code == 400 and "not valid" in answer.text and statuses(db) == []


def test_the_creator_adds_and_lists_contacts(client: TestClient, db: Database, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    added = client.post("/v1/contacts", json={"email": "Ann@Example.com", "subscribed": True}, headers=owner)
    assert added.status_code == 200 and added.json()["status"] == "subscribed"
    bad = client.post("/v1/contacts", json={"email": "nope"}, headers=owner)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    listed = client.get("/v1/contacts", params={"status": "subscribed"}, headers=owner).json()["data"]
    assert [c["email"] for c in listed] == ["ann@example.com"]
    learner = login(client, store_a.learner_email, store_a.slug)
    assert client.get("/v1/contacts", headers=learner).status_code == 403
