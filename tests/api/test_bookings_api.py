"""Booking a coaching session over HTTP: its free times, a checkout for one of them, the store page's
time picker, and the confirmation's invitation downloaded from the dev mailbox."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from core.db import Database
from core.settings import Settings
from mail.providers.outbox import OutboxProvider
from mail.tasks import pump
from tests.commerce.factories import another_learner, coaching_shop, deliver, shop
from tests.conftest import login


def test_a_learner_lists_free_times_and_books_one(client: TestClient, db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings, timezone="America/New_York")
    auth = login(client, s.world.learner_email, s.world.slug)
    listed = client.get(f"/v1/products/{s.product_id}/slots", params={"days": 2}, headers=auth)
    assert listed.status_code == 200
    body = listed.json()
    assert (body["duration_minutes"], body["timezone"]) == (60, "America/New_York") and len(body["slots"]) >= 24
    when = body["slots"][0]
    made = client.post(
        "/v1/checkout", json={"product_id": s.product_id, "price_id": s.price_id, "starts_at": when}, headers=auth
    )
    assert made.status_code == 201, made.text
    again = client.get(f"/v1/products/{s.product_id}/slots", params={"days": 2}, headers=auth).json()
    assert when not in again["slots"]


def test_a_taken_time_is_a_409_naming_why(client: TestClient, db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    when = client.get(f"/v1/products/{s.product_id}/slots", headers=auth).json()["slots"][0]
    order = {"product_id": s.product_id, "price_id": s.price_id, "starts_at": when}
    assert client.post("/v1/checkout", json=order, headers=auth).status_code == 201
    taken = client.post("/v1/checkout", json=order, headers=auth)
    assert taken.status_code == 409 and taken.json()["reason"] == "slot_taken"


def test_a_time_without_its_offset_is_a_422(client: TestClient, db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    order = {"product_id": s.product_id, "price_id": s.price_id, "starts_at": "2030-01-07T09:00:00"}
    refused = client.post("/v1/checkout", json=order, headers=auth)
    assert refused.status_code == 422 and "starts_at" in refused.text


def test_slots_of_a_product_that_is_not_coaching_are_a_422(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    assert client.get(f"/v1/products/{s.product_id}/slots", headers=auth).status_code == 422


def test_the_store_page_offers_the_free_times(client: TestClient, db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings, timezone="Europe/Berlin")
    page = client.get(f"/s/{s.world.slug}")
    assert 'name="starts_at"' in page.text and "Time (Europe/Berlin, 60 min)" in page.text


def test_the_invitation_downloads_from_the_dev_mailbox(client: TestClient, db: Database, settings: Settings) -> None:
    s = coaching_shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    when = client.get(f"/v1/products/{s.product_id}/slots", headers=auth).json()["slots"][0]
    order = {"product_id": s.product_id, "price_id": s.price_id, "starts_at": when}
    made = client.post("/v1/checkout", json=order, headers=auth).json()
    done = client.post(f"/checkout/{made['url'].rsplit('/', 1)[1]}/pay", data={"card": "4242 4242 4242 4242"},
                       follow_redirects=False)  # fmt: skip
    client.get(done.headers["location"], follow_redirects=False)
    pump(db, settings)
    [message] = [m for m in OutboxProvider(settings.data_dir).messages() if m.subject.endswith("is booked")]
    shown = client.get(f"/dev/mailbox/{message.id}", headers=auth)
    assert "invite.ics" in shown.text
    ics = client.get(f"/dev/mailbox/{message.id}/attachments/0", headers=auth)
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    start = datetime.fromisoformat(when.replace("Z", "+00:00"))
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in ics.text
    assert client.get(f"/dev/mailbox/{message.id}/attachments/5", headers=auth).status_code == 404


def test_the_creator_sees_the_booked_session_and_another_learner_does_not(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = coaching_shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    when = client.get(f"/v1/products/{s.product_id}/slots", headers=auth).json()["slots"][0]
    order = {"product_id": s.product_id, "price_id": s.price_id, "starts_at": when}
    made = client.post("/v1/checkout", json=order, headers=auth).json()
    s.provider.pay(made["url"].rsplit("/", 1)[1], "4242 4242 4242 4242")
    deliver(db, settings, s.provider)
    creator = login(client, s.world.owner_email, s.world.slug)
    [booked] = client.get("/v1/bookings", headers=creator).json()
    assert (booked["learner_email"], booked["starts_at"], booked["status"]) == (
        s.world.learner_email,
        when,
        "confirmed",
    )
    assert len(client.get("/v1/bookings", headers=auth).json()) == 1
    other = login(client, another_learner(db, s.world.store_id), s.world.slug)
    assert client.get("/v1/bookings", headers=other).json() == []
    assert client.get("/v1/bookings", params={"past": True}, headers=creator).json() == []


def test_a_coaching_product_with_unreadable_hours_keeps_the_page_up(
    client: TestClient, db: Database, settings: Settings
) -> None:
    from sqlalchemy import update

    from commerce.models import Product

    s = coaching_shop(db, settings)
    with db.transaction() as session:  # as stored before hours were checked
        session.execute(update(Product).where(Product.id == s.product_id).values(details={"hours": "weekdays"}))
    page = client.get(f"/s/{s.world.slug}")
    assert page.status_code == 200 and "Booking opens soon" in page.text
