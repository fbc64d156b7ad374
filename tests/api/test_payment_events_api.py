"""The platform operator's view of parked payment events: only platform admins see them, and a retry
puts a failed event back for the next drain."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from commerce.models import PaymentEvent
from core import identity
from core.db import Database
from core.settings import Settings
from tests.commerce.factories import store_event
from tests.conftest import PASSWORD, StoreWorld, login


def parked(db: Database, settings: Settings) -> str:
    row_id = store_event(db, settings, {"id": "evt_parked", "type": "checkout.session.completed", "created": 1,
                                        "data": {"object": {"id": "cs_gone"}}})  # fmt: skip
    with db.transaction() as s:
        s.execute(update(PaymentEvent).values(status="failed", attempts=10, error="RuntimeError: provider down"))
    return row_id


def admin_headers(client: TestClient, db: Database) -> dict[str, str]:
    with db.transaction() as s:
        identity.create_user(s, "ops@academy.example.com", PASSWORD, "Ops", is_platform_admin=True)
    return login(client, "ops@academy.example.com")


def test_a_platform_admin_sees_a_parked_event_with_its_error(
    client: TestClient, db: Database, settings: Settings
) -> None:
    parked(db, settings)
    listed = client.get("/v1/admin/payment-events", headers=admin_headers(client, db)).json()
    assert [(e["event_id"], e["attempts"], e["error"]) for e in listed] == [
        ("evt_parked", 10, "RuntimeError: provider down")
    ]


def test_a_store_owner_may_not_see_payment_events(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    parked(db, settings)
    answer = client.get("/v1/admin/payment-events", headers=login(client, store_a.owner_email, store_a.slug))
    assert answer.status_code == 403


def test_a_retry_puts_a_failed_event_back_with_a_fresh_count(
    client: TestClient, db: Database, settings: Settings
) -> None:
    row_id = parked(db, settings)
    headers = admin_headers(client, db)
    retried = client.post(f"/v1/admin/payment-events/{row_id}/retry", headers=headers)
    assert retried.status_code == 200 and (retried.json()["status"], retried.json()["attempts"]) == ("received", 0)
    again = client.post(f"/v1/admin/payment-events/{row_id}/retry", headers=headers)
    assert again.status_code == 409 and "received" in again.json()["detail"]
