"""The dev mailbox: a learner reads the mail sent to them, a creator the store's, nobody else's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import Database
from core.settings import Settings
from mail.providers.outbox import OutboxMessage, OutboxProvider
from mail.tasks import pump
from tests.commerce.factories import another_learner, shop
from tests.conftest import login


def paid(client: TestClient, db: Database, settings: Settings) -> tuple[str, dict[str, str]]:
    """The learner buys the course on the local checkout page; the mail is pumped to the outbox."""
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    made = client.post("/v1/checkout", json={"product_id": s.product_id, "price_id": s.price_id}, headers=auth)
    session_id = made.json()["url"].rsplit("/", 1)[1]
    done = client.post(f"/checkout/{session_id}/pay", data={"card": "4242 4242 4242 4242"}, follow_redirects=False)
    client.get(done.headers["location"], follow_redirects=False)
    assert pump(db, settings).sent == 3  # the receipt; the welcome and the enrollment note
    return s.world.slug, auth


def receipt(settings: Settings) -> OutboxMessage:
    return next(m for m in OutboxProvider(settings.data_dir).messages() if m.subject.startswith("Your receipt"))


def test_the_buyer_reads_their_receipt_in_the_dev_mailbox(client: TestClient, db: Database, settings: Settings) -> None:
    _, auth = paid(client, db, settings)
    listed = client.get("/dev/mailbox", headers=auth)
    assert listed.status_code == 200 and "Your receipt from Store shop" in listed.text
    message = receipt(settings)
    shown = client.get(f"/dev/mailbox/{message.id}", headers=auth)
    assert shown.status_code == 200 and " sandbox " in shown.text and f"/dev/mailbox/{message.id}/html" in shown.text
    assert "Total: 49.99 USD" in shown.text  # the plain-text part
    html = client.get(f"/dev/mailbox/{message.id}/html", headers=auth)
    assert html.text == message.html and "sandbox" in html.headers["content-security-policy"]
    assert "script-src" not in html.headers["content-security-policy"]  # default-src 'none': no script


def test_another_learner_sees_none_of_it(client: TestClient, db: Database, settings: Settings) -> None:
    slug, _ = paid(client, db, settings)
    with db.transaction() as s:
        from sqlalchemy import select

        from core.models import Store

        store_id = s.scalars(select(Store.id).where(Store.slug == slug)).one()
    other = login(client, another_learner(db, store_id), slug)
    message = receipt(settings)
    assert "No mail yet" in client.get("/dev/mailbox", headers=other).text
    assert client.get(f"/dev/mailbox/{message.id}", headers=other).status_code == 404
    assert client.get(f"/dev/mailbox/{message.id}/html", headers=other).status_code == 404


def test_the_creator_reads_the_stores_mail(client: TestClient, db: Database, settings: Settings) -> None:
    slug, _ = paid(client, db, settings)
    owner = login(client, f"owner@{slug}.example.com", slug)
    assert "Your receipt from Store shop" in client.get("/dev/mailbox", headers=owner).text


def test_a_stranger_is_asked_to_sign_in(client: TestClient) -> None:
    page = client.get("/dev/mailbox")
    assert page.status_code == 401 and "Sign in" in page.text
