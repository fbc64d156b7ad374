"""Resend's webhooks over HTTP, signed the Svix way: a forged or stale one is refused and not stored;
a hard bounce or a complaint stops all mail to the address; a redelivery changes nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from svix.webhooks import Webhook

from api.app import create_app
from core.db import Database
from core.settings import Settings
from mail.models import MailMessage, MailWebhookEvent, Suppression
from mail.providers.outbox import OutboxProvider
from mail.queue import claim, send_claimed
from tests.conftest import StoreWorld
from tests.mail.factories import queued

SECRET = "whsec_" + base64.b64encode(b"loopback-resend-signing-secret!!").decode()


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"resend_webhook_secret": SecretStr(SECRET)})
    with TestClient(create_app(configured, db=db, run_jobs=False)) as test_client:
        yield test_client


def post(client: TestClient, event: dict, event_id: str = "msg_1", secret: str = SECRET, age_s: int = 0) -> dict:
    body = json.dumps(event)
    at = datetime.now(UTC) - timedelta(seconds=age_s)
    headers = {
        "svix-id": event_id,
        "svix-timestamp": str(int(at.timestamp())),
        "svix-signature": Webhook(secret).sign(event_id, at, body),
        "Content-Type": "application/json",
    }
    answer = client.post("/v1/webhooks/resend", content=body, headers=headers)
    return {"status": answer.status_code, **answer.json()}


def sent_message(db: Database, settings: Settings, store: StoreWorld) -> MailMessage:
    [row] = queued(db, store.store_id)
    send_claimed(db, OutboxProvider(settings.data_dir), claim(db, 20), "mail@academy.test")
    with db.transaction() as s:
        found = s.get(MailMessage, row.id)
        assert found is not None
        s.expunge(found)
        return found


def event(kind: str, message: MailMessage, **data: object) -> dict:
    return {"type": kind, "created_at": "2026-12-04T12:00:00Z", "data": {"email_id": message.provider_message_id,
            "to": [message.to_email], **data}}  # fmt: skip


def stored(db: Database) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count(MailWebhookEvent.id))) or 0


def test_forged_and_stale_webhooks_are_refused_and_not_stored(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    message = sent_message(db, settings, store_a)
    other = "whsec_" + base64.b64encode(b"another-secret-another-secret!!!").decode()
    for answer in (post(client, event("email.bounced", message), secret=other),
                   post(client, event("email.bounced", message), age_s=600)):  # fmt: skip
        assert answer["status"] == 400 and "signature" in answer["detail"]
    unsigned = client.post("/v1/webhooks/resend", content=json.dumps(event("email.bounced", message)))
    assert unsigned.status_code == 400 and stored(db) == 0


def test_a_hard_bounce_means_no_mail_to_that_address_again(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    message = sent_message(db, settings, store_a)
    answer = post(client, event("email.bounced", message, bounce={"type": "Permanent", "subType": "General"}))
    assert answer["status"] == 200 and answer["outcome"] == "applied"
    with db.transaction() as s:
        assert s.scalar(select(Suppression.reason).where(Suppression.email == message.to_email)) == "hard_bounce"
    [receipt] = queued(db, store_a.store_id, key="after-bounce")
    assert receipt.status == "suppressed"


def test_delivery_opens_and_clicks_are_recorded_once_each(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    message = sent_message(db, settings, store_a)
    for n, kind in enumerate(("email.delivered", "email.opened", "email.clicked")):
        assert post(client, event(kind, message), event_id=f"msg_{n}")["outcome"] == "applied"
    again = post(client, event("email.opened", message), event_id="msg_1")
    assert again["duplicate"] is True and stored(db) == 3
    with db.transaction() as s:
        row = s.get(MailMessage, message.id)
        assert row is not None and row.delivered_at and row.opened_at and row.clicked_at


def test_a_complaint_and_three_soft_bounces_suppress(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    complained = sent_message(db, settings, store_a)
    post(client, event("email.complained", complained), event_id="c1")
    soft = []
    for i in range(3):
        [row] = queued(db, store_a.store_id, to="flaky@example.com", key=f"soft{i}")
        send_claimed(db, OutboxProvider(settings.data_dir), claim(db, 20), "mail@academy.test")
        with db.transaction() as s:
            soft.append(s.get(MailMessage, row.id))
        post(client, event("email.bounced", soft[-1], bounce={"type": "Transient"}), event_id=f"s{i}")
    with db.transaction() as s:
        reasons = {row.email: row.reason for row in s.execute(select(Suppression.email, Suppression.reason))}
    assert reasons == {"ann@example.com": "complaint", "flaky@example.com": "soft_bounces"}


def test_an_event_about_someone_elses_message_is_stored_unmatched(
    client: TestClient, db: Database, settings: Settings
) -> None:
    answer = post(client, {"type": "email.delivered", "data": {"email_id": "re_not_ours"}})
    assert answer["status"] == 200 and answer["outcome"] == "unmatched"


def test_without_a_secret_there_is_no_webhook_to_post_to(settings: Settings, db: Database) -> None:
    """Regression: with no secret configured this answered 503 (a server error, found by the fuzzer)."""
    with TestClient(create_app(settings, db=db, run_jobs=False)) as plain:
        answer = plain.post("/v1/webhooks/resend", content=b"{}")
    assert answer.status_code == 404 and "ACADEMY_RESEND_WEBHOOK_SECRET" in answer.json()["detail"]


def test_a_signed_event_with_an_overlong_id_is_a_400_and_not_stored(client: TestClient, db: Database) -> None:
    answer = post(client, {"type": "email.delivered", "data": {}}, event_id="msg_" + "x" * 200)
    assert answer["status"] == 400 and "120 characters" in answer["detail"]
    with db.transaction() as s:
        assert s.scalar(select(func.count(MailWebhookEvent.id))) == 0


def test_a_signed_event_nested_5000_deep_is_a_400(client: TestClient) -> None:
    body = '{"type": "email.delivered", "data": ' + "[" * 5000 + "]" * 5000 + "}"
    at = datetime.now(UTC)
    headers = {"svix-id": "msg_deep", "svix-timestamp": str(int(at.timestamp())),
               "svix-signature": Webhook(SECRET).sign("msg_deep", at, body), "Content-Type": "application/json"}  # fmt: skip
    answer = client.post("/v1/webhooks/resend", content=body, headers=headers)
    assert answer.status_code == 400 and "deeper than 64" in answer.json()["detail"]
