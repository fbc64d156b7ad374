"""Broadcasts over HTTP: draft, schedule, the pump sends, the stats count; a cancelled one sends nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import Database
from core.settings import Settings
from mail.tasks import pump
from tests.conftest import StoreWorld, login


def drafted(client: TestClient, owner: dict[str, str], fans: int = 2) -> str:
    for i in range(fans):
        client.post("/v1/contacts", json={"email": f"fan{i}@example.com", "name": f"Fan{i}", "subscribed": True},
                    headers=owner)  # fmt: skip
    template = client.post("/v1/mail/templates", json={"name": "N", "subject": "News", "body": "<p>Hi</p>"},
                           headers=owner).json()  # fmt: skip
    made = client.post("/v1/mail/broadcasts", json={"name": "News", "template_id": template["id"]}, headers=owner)
    assert made.status_code == 201 and made.json()["status"] == "draft"
    return str(made.json()["id"])


def test_a_broadcast_is_sent_and_counted(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    broadcast_id = drafted(client, owner)
    assert (
        client.post(f"/v1/mail/broadcasts/{broadcast_id}/schedule", json={}, headers=owner).json()["status"]
        == "scheduled"
    )
    while pump(db, settings).more:
        pass
    detail = client.get(f"/v1/mail/broadcasts/{broadcast_id}", headers=owner).json()
    assert detail["status"] == "sent" and detail["queued"] == 2
    assert detail["stats"]["recipients"] == 2 and detail["stats"]["by_status"] == {"sent": 2}


def test_a_cancelled_broadcast_cannot_be_scheduled_again(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    broadcast_id = drafted(client, owner)
    assert client.post(f"/v1/mail/broadcasts/{broadcast_id}/cancel", headers=owner).json()["status"] == "cancelled"
    again = client.post(f"/v1/mail/broadcasts/{broadcast_id}/schedule", json={}, headers=owner)
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    pump(db, settings)
    assert client.get(f"/v1/mail/broadcasts/{broadcast_id}", headers=owner).json()["stats"]["recipients"] == 0
