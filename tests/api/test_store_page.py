"""The store's page: what is on sale, with prices and a Buy button; what the learner holds, held."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import Database
from core.settings import Settings
from tests.commerce.factories import deliver, shop
from tests.conftest import login


def test_the_page_lists_what_is_on_sale_with_its_price(client: TestClient, db: Database, settings: Settings) -> None:
    s = shop(db, settings, amount=4900)
    page = client.get(f"/s/{s.world.slug}")
    assert page.status_code == 200
    assert "The course" in page.text and "49.00 USD" in page.text and f'value="{s.price_id}"' in page.text
    assert '<script type="module" src="/static/store.js">' in page.text


def test_a_learner_who_holds_the_course_is_not_offered_it_again(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    made = client.post("/v1/checkout", json={"product_id": s.product_id, "price_id": s.price_id}, headers=auth).json()
    s.provider.pay(made["url"].rsplit("/", 1)[1], "4242424242424242")
    deliver(db, settings, s.provider)
    page = client.get(f"/s/{s.world.slug}?checkout=done", headers=auth)
    assert "You have this" in page.text and "purchase is complete" in page.text and "<button>Buy" not in page.text


def test_an_unknown_store_is_a_404_page(client: TestClient) -> None:
    page = client.get("/s/nowhere")
    assert page.status_code == 404 and "not found" in page.text
