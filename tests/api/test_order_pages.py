"""A learner's orders and receipts, as pages and as the order's API: lines, history, who may read."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import Database
from core.settings import Settings
from tests.commerce.factories import Shop, another_learner, deliver, process_received, shop
from tests.conftest import login


def bought(client: TestClient, db: Database, settings: Settings, s: Shop, auth: dict[str, str]) -> str:
    """The learner is declined once, then pays on the local checkout page; the order's id."""
    made = client.post("/v1/checkout", json={"product_id": s.product_id, "price_id": s.price_id}, headers=auth)
    session_id = made.json()["url"].rsplit("/", 1)[1]
    assert client.post(f"/checkout/{session_id}/pay", data={"card": "4000 0000 0000 0002"}).status_code == 402
    paid = client.post(f"/checkout/{session_id}/pay", data={"card": "4242 4242 4242 4242"}, follow_redirects=False)
    assert client.get(paid.headers["location"], follow_redirects=False).status_code == 303  # the return page
    process_received(db, settings)  # the page stored the declined attempt's event; this app runs no jobs
    return str(client.get("/v1/orders", headers=auth).json()["data"][0]["id"])


def test_an_order_reads_with_its_lines_and_its_history_declined_attempt_first(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    order = client.get(f"/v1/orders/{bought(client, db, settings, s, auth)}", headers=auth).json()
    assert [(line["description"], line["gross"]) for line in order["lines"]] == [("The course", 4999)]
    assert [(h["kind"], h["amount"]) for h in order["history"]] == [
        ("payment.failed", None),
        ("purchase.completed", 4999),
    ]


def test_the_learner_sees_the_order_listed_and_its_receipt(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    order_id = bought(client, db, settings, s, auth)
    listed = client.get(f"/s/{s.world.slug}/orders", headers=auth)
    assert listed.status_code == 200 and "Your orders" in listed.text
    assert "The course" in listed.text and "49.99 USD" in listed.text and f"/orders/{order_id}" in listed.text
    receipt = client.get(f"/s/{s.world.slug}/orders/{order_id}", headers=auth)
    assert receipt.status_code == 200 and order_id in receipt.text
    assert receipt.text.index("Payment failed") < receipt.text.index("Paid · 49.99 USD")
    assert "Platform fee" not in receipt.text  # the split is the creator's business


def test_a_partial_refund_shows_on_the_receipt(client: TestClient, db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    order_id = bought(client, db, settings, s, auth)
    owner = login(client, s.world.owner_email, s.world.slug)
    assert client.post(f"/v1/orders/{order_id}/refund", json={"amount": 1000}, headers=owner).status_code == 200
    deliver(db, settings, s.provider)
    receipt = client.get(f"/s/{s.world.slug}/orders/{order_id}", headers=auth).text
    assert "Partly refunded" in receipt and "&minus;10.00 USD" in receipt and "Refunded · 10.00 USD" in receipt


def test_the_creator_reads_the_fee_and_the_net_on_a_receipt(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = shop(db, settings)
    order_id = bought(client, db, settings, s, login(client, s.world.learner_email, s.world.slug))
    owner = login(client, s.world.owner_email, s.world.slug)
    assert "Orders at" in client.get(f"/s/{s.world.slug}/orders", headers=owner).text
    receipt = client.get(f"/s/{s.world.slug}/orders/{order_id}", headers=owner).text
    assert 'Platform fee</td><td class="amount">5.00 USD' in receipt and "44.99 USD" in receipt


def test_another_learners_receipt_is_not_found(client: TestClient, db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    order_id = bought(client, db, settings, s, login(client, s.world.learner_email, s.world.slug))
    auth = login(client, another_learner(db, s.world.store_id), s.world.slug)
    assert client.get(f"/s/{s.world.slug}/orders/{order_id}", headers=auth).status_code == 404
    assert client.get(f"/v1/orders/{order_id}", headers=auth).status_code == 404
    assert "No orders yet" in client.get(f"/s/{s.world.slug}/orders", headers=auth).text


def test_the_orders_page_asks_a_stranger_to_sign_in(client: TestClient, db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    page = client.get(f"/s/{s.world.slug}/orders")
    assert page.status_code == 401 and "Sign in" in page.text


def test_the_store_page_links_a_signed_in_learner_to_their_orders(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = shop(db, settings)
    assert "/orders" not in client.get(f"/s/{s.world.slug}").text
    auth = login(client, s.world.learner_email, s.world.slug)
    assert f'href="/s/{s.world.slug}/orders"' in client.get(f"/s/{s.world.slug}", headers=auth).text
