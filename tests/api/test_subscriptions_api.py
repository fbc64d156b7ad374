"""Memberships over HTTP: a member reads and cancels theirs (at the period's end), the orders page
says what happens next, a stranger reads none, the creator reads the store's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import Database
from core.settings import Settings
from tests.commerce.factories import Shop, another_learner, member_shop
from tests.conftest import login


def joined(client: TestClient, settings: Settings, s: Shop, auth: dict[str, str]) -> str:
    """The learner pays for the membership on the local checkout page; its subscription's id."""
    made = client.post("/v1/checkout", json={"product_id": s.product_id, "price_id": s.price_id}, headers=auth)
    assert made.status_code == 201, made.text
    session_id = made.json()["url"].rsplit("/", 1)[1]
    paid = client.post(f"/checkout/{session_id}/pay", data={"card": "4242 4242 4242 4242"}, follow_redirects=False)
    assert client.get(paid.headers["location"], follow_redirects=False).status_code == 303  # the return page
    [sub] = client.get("/v1/subscriptions", headers=auth).json()["data"]
    return str(sub["id"])


def test_a_member_cancels_and_keeps_the_membership_until_the_period_ends(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = member_shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    sub_id = joined(client, settings, s, auth)
    page = client.get(f"/s/{s.world.slug}/orders", headers=auth).text
    assert "All access" in page and "Renews on" in page and f'data-id="{sub_id}"' in page
    cancelled = client.post(f"/v1/subscriptions/{sub_id}/cancel", headers=auth)
    assert cancelled.status_code == 200 and cancelled.json()["cancel_at_period_end"] is True
    assert cancelled.json()["status"] == "active"
    page = client.get(f"/s/{s.world.slug}/orders", headers=auth).text
    assert "Cancelled: yours until" in page and "cancel-membership" not in page
    assert client.get(f"/v1/lessons/{s.world.paid_lesson_id}", headers=auth).status_code == 200


def test_a_stranger_can_neither_read_nor_cancel_a_membership(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = member_shop(db, settings)
    sub_id = joined(client, settings, s, login(client, s.world.learner_email, s.world.slug))
    auth = login(client, another_learner(db, s.world.store_id), s.world.slug)
    assert client.get(f"/v1/subscriptions/{sub_id}", headers=auth).status_code == 404
    assert client.post(f"/v1/subscriptions/{sub_id}/cancel", headers=auth).status_code == 404
    assert client.get("/v1/subscriptions", headers=auth).json()["data"] == []


def test_the_creator_reads_the_stores_memberships(client: TestClient, db: Database, settings: Settings) -> None:
    s = member_shop(db, settings)
    sub_id = joined(client, settings, s, login(client, s.world.learner_email, s.world.slug))
    owner = login(client, s.world.owner_email, s.world.slug)
    listed = client.get("/v1/subscriptions", headers=owner).json()["data"]
    assert [(m["id"], m["status"]) for m in listed] == [(sub_id, "active")]
    assert "cancel-membership" not in client.get(f"/s/{s.world.slug}/orders", headers=owner).text
