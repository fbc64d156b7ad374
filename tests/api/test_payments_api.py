"""The webhook endpoint, the learner's checkout and the local provider's checkout page, over HTTP."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commerce.models import Order, PaymentEvent
from commerce.providers.factory import webhook_secrets
from commerce.webhooks.signature import sign
from core.db import Database
from core.settings import Settings
from tests.commerce.factories import shop
from tests.conftest import login

EVENT = {"id": "evt_api_1", "type": "customer.created", "object": "event", "data": {"object": {"id": "cus_1"}}}


def post_event(client: TestClient, body: bytes, signature: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"} | ({"Stripe-Signature": signature} if signature else {})
    answer = client.post("/v1/webhooks/stripe", content=body, headers=headers)
    return answer.status_code, answer.json()


def stored(db: Database) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count(PaymentEvent.id))) or 0


def test_forged_unsigned_and_stale_events_are_refused_and_not_stored(
    client: TestClient, db: Database, settings: Settings
) -> None:
    body = json.dumps(EVENT).encode()
    secret = webhook_secrets(settings)[0]
    for signature in (None, sign(body, "whsec_forged"), sign(body, secret, int(time.time()) - 600)):
        status, problem = post_event(client, body, signature)
        assert status == 400 and "signature" in problem["detail"]
    assert stored(db) == 0


def test_an_unknown_event_type_is_acknowledged_and_stored_once(
    client: TestClient, db: Database, settings: Settings
) -> None:
    body = json.dumps(EVENT).encode()
    signature = sign(body, webhook_secrets(settings)[0])
    first, again = post_event(client, body, signature), post_event(client, body, signature)
    assert first[0] == again[0] == 200
    assert first[1]["duplicate"] is False and again[1]["duplicate"] is True and stored(db) == 1


def test_a_signed_body_that_is_not_an_event_is_a_400(client: TestClient, settings: Settings) -> None:
    body = b'{"hello": "world"}'
    status, problem = post_event(client, body, sign(body, webhook_secrets(settings)[0]))
    assert status == 400 and "id" in problem["detail"]


def test_a_learner_buys_the_course_on_the_local_checkout_page(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    lesson = f"/v1/lessons/{s.world.paid_lesson_id}"
    assert client.get(lesson, headers=auth).status_code == 403
    made = client.post("/v1/checkout", json={"product_id": s.product_id, "price_id": s.price_id}, headers=auth)
    assert made.status_code == 201, made.text
    assert (made.json()["total"], made.json()["platform_fee"]) == (4999, 500)
    page = client.get(made.json()["url"].removeprefix(settings.public_base_url))
    assert page.status_code == 200 and "49.99 USD" in page.text and "4242 4242 4242 4242" in page.text
    session_id = made.json()["url"].rsplit("/", 1)[1]
    declined = client.post(f"/checkout/{session_id}/pay", data={"card": "4000 0000 0000 0002"})
    assert declined.status_code == 402 and "declined" in declined.text
    paid = client.post(f"/checkout/{session_id}/pay", data={"card": "4242 4242 4242 4242"}, follow_redirects=False)
    assert paid.status_code == 303
    back = client.get(paid.headers["location"], follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"].endswith(f"/s/{s.world.slug}?checkout=done")
    assert client.get(lesson, headers=auth).status_code == 200
    orders = client.get("/v1/orders", headers=auth).json()["data"]
    assert [(o["status"], o["total"]) for o in orders] == [("paid", 4999)]
    with db.transaction() as session:
        assert session.scalar(select(func.count(Order.id))) == 1
        assert session.scalar(select(func.count(PaymentEvent.id)).where(PaymentEvent.type.like("checkout.%"))) == 1
    again = client.post("/v1/checkout", json={"product_id": s.product_id, "price_id": s.price_id}, headers=auth)
    assert again.status_code == 409 and "already have" in again.json()["detail"]


def test_a_checkout_for_a_foreign_price_names_the_field(client: TestClient, db: Database, settings: Settings) -> None:
    s, other = shop(db, settings), shop(db, settings, slug="other")
    auth = login(client, s.world.learner_email, s.world.slug)
    answer = client.post("/v1/checkout", json={"product_id": s.product_id, "price_id": other.price_id}, headers=auth)
    assert answer.status_code == 404 and "price_id" in answer.text


def test_a_signed_event_with_an_overlong_id_is_a_400_every_time(
    client: TestClient, db: Database, settings: Settings
) -> None:
    body = json.dumps(EVENT | {"id": "evt_" + "x" * 200}).encode()
    for _ in range(2):  # stored cut, it was not found whole the second time: a 500
        status, problem = post_event(client, body, sign(body, webhook_secrets(settings)[0]))
        assert status == 400 and "120 characters" in problem["detail"]
    assert stored(db) == 0


def test_a_signed_event_nested_5000_deep_is_a_400(client: TestClient, db: Database, settings: Settings) -> None:
    body = b'{"id": "evt_deep", "type": "x", "data": {"object": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}}"
    status, problem = post_event(client, body, sign(body, webhook_secrets(settings)[0]))
    assert status == 400 and "deeper than 64" in problem["detail"] and stored(db) == 0
