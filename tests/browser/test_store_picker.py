"""A person in several stores, with none used yet, is asked which one on the chat page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from core import identity
from core.db import Database
from tests.conftest import PASSWORD, StoreWorld
from tests.live_server import LiveServer


def test_the_chat_page_asks_which_store_and_opens_it(
    live: tuple[LiveServer, TestClient], page: Page, db: Database, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    with db.transaction() as s:  # the owner of alpha is also a learner of beta
        user, beta = identity.get_user_by_email(s, store_a.owner_email), identity.get_store_by_slug(s, "beta")
        assert user is not None and beta is not None
        identity.join_store_as_learner(s, user, beta)
    server, _ = live
    page.goto(server.url + "/")
    page.fill("#login-email", store_a.owner_email)
    page.fill("#login-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#messages")).to_contain_text("Choose a store")
    expect(page.locator("#composer-input")).to_be_disabled()
    page.select_option("#store-select", "beta")
    expect(page.locator("#who")).to_contain_text("Store beta")
    expect(page.locator("#course-select")).to_contain_text("beta course")
    page.wait_for_load_state("networkidle")
