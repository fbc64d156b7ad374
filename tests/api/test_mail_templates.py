"""Templates over HTTP: checked when written (a 422 naming the field), previewed for a contact, and
sent as a test to oneself (through the queue to the outbox)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import Database
from core.settings import Settings
from mail.providers.outbox import OutboxProvider
from mail.tasks import pump
from tests.conftest import StoreWorld, login

BODY = "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text></mj-column>" \
       "</mj-section></mj-body></mjml>"  # fmt: skip


def test_a_creator_writes_previews_and_test_sends_a_template(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    made = client.post("/v1/mail/templates", json={"name": "Welcome", "subject": "Hi {{ contact.first_name }}",
                                                   "body": BODY}, headers=owner)  # fmt: skip
    assert made.status_code == 201, made.text
    contact = client.post("/v1/contacts", json={"email": "ann@example.com", "name": "Ann Lee"}, headers=owner).json()
    shown = client.post(f"/v1/mail/templates/{made.json()['id']}/preview", json={"contact_id": contact["id"]},
                        headers=owner).json()  # fmt: skip
    assert shown["subject"] == "Hi Ann" and "Hi Ann" in shown["text"] and "<table" in shown["html"]
    sent = client.post(f"/v1/mail/templates/{made.json()['id']}/test", headers=owner)
    assert sent.status_code == 200 and sent.json()["to"] == store_a.owner_email
    pump(db, settings)
    [mail] = OutboxProvider(settings.data_dir).messages(to_email=store_a.owner_email)
    assert mail.subject == "[Test] Hi Sam" and "Hi Sam" in mail.text  # the sample recipient


def test_a_template_that_reaches_into_the_sandbox_is_refused_naming_the_body(
    client: TestClient, store_a: StoreWorld
) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    body = {"name": "Bad", "subject": "Hi", "body": "{{ contact.__class__ }}"}
    answer = client.post("/v1/mail/templates", json=body, headers=owner)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "body"
    assert client.get("/v1/mail/templates", headers=owner).json()["data"] == []  # nothing half written


def test_a_learner_cannot_write_templates(client: TestClient, store_a: StoreWorld) -> None:
    learner = login(client, store_a.learner_email, store_a.slug)
    body = {"name": "W", "subject": "Hi", "body": "<p>x</p>"}
    assert client.post("/v1/mail/templates", json=body, headers=learner).status_code == 403
