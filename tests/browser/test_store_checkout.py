"""A learner buys a course on the store page, pays on the local provider's checkout page, comes back
with the course open, reads the receipt (on the orders page and in the dev mailbox), and asks the
course assistant about it (Chromium, a live server)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from api.app import create_app
from commerce import catalog
from commerce.providers.local import LocalPaymentProvider
from core.db import Database
from core.models import Store
from core.settings import Settings
from courses import enrollments
from courses.models import Enrollment
from mail.tasks import pump
from tests.agent_fixtures import indexed_store, manager
from tests.browser.conftest import shot
from tests.browser.test_chat_page import LESSON, answer_script, ask
from tests.commerce.factories import enable_selling
from tests.conftest import PASSWORD, StoreWorld
from tests.live_server import free_port, serve
from tests.scripted_model import ScriptedChatModel


def on_sale(db: Database, settings: Settings, world: StoreWorld, base_url: str) -> None:
    """The learner holds nothing; the store can sell and has its course on sale for 49.99 USD."""
    with db.transaction() as s:
        enrollment = s.query(Enrollment).filter(Enrollment.course_id == world.course_id).one()
        enrollments.revoke_enrollment(s, world.owner, enrollment.id)
    enable_selling(db, world, LocalPaymentProvider(settings.data_dir, base_url))
    with db.transaction() as s:
        product = catalog.create_product(s, world.owner, "course", "Mixing, the course", course_id=world.course_id)
        catalog.create_price(s, world.owner, product.id, "usd", 4999)
        catalog.update_product(s, world.owner, product.id, status="active")


def world_name(db: Database, world: StoreWorld) -> str:
    with db.transaction() as s:
        store = s.get(Store, world.store_id)
        assert store is not None
        return store.name


def test_a_learner_buys_the_course_then_asks_the_assistant_about_it(
    page: Page, settings: Settings, db: Database, store_a: StoreWorld, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings.public_base_url = url  # the local provider's checkout page is on this server
    for world, runtime in indexed_store(db, store_a, LESSON, tmp_path / "index"):
        on_sale(db, settings, world, url)
        model = ScriptedChatModel(script=[])
        app = create_app(settings, db=db, run_jobs=False, runs=manager(db, settings, runtime, model, workers=2))
        with serve(app, port):
            page.goto(url + "/")
            page.get_by_label("Email").fill(world.learner_email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_label("Store").fill(world.slug)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("log", name="Conversation")).to_be_visible()
            page.goto(f"{url}/s/{world.slug}")
            expect(page.get_by_role("heading", name="Mixing, the course")).to_be_visible()
            shot(page, "store-page")
            page.get_by_role("button", name="Buy").click()
            expect(page.get_by_role("heading", name="Mixing, the course")).to_be_visible()
            expect(page.get_by_text("49.99 USD").first).to_be_visible()
            page.get_by_label("Card number").fill("4000 0000 0000 0002")
            page.get_by_role("button", name="Pay 49.99 USD").click()
            expect(page.get_by_role("alert")).to_contain_text("declined")
            page.get_by_label("Card number").fill("4242 4242 4242 4242")
            shot(page, "checkout-page")
            page.get_by_role("button", name="Pay 49.99 USD").click()
            expect(page.get_by_role("status")).to_contain_text("your purchase is complete")
            expect(page.get_by_text("You have this.")).to_be_visible()
            page.get_by_role("link", name="Your orders and receipts").click()
            page.get_by_role("link", name="Receipt").click()
            expect(page.get_by_role("heading", name="Receipt")).to_be_visible()
            expect(page.get_by_text("Paid · 49.99 USD")).to_be_visible()
            shot(page, "receipt-page")
            pump(db, settings)  # what the mail pump does every few seconds under `serve`
            page.goto(f"{url}/dev/mailbox")
            page.get_by_role("link", name=f"Your receipt from {world_name(db, world)}").click()
            expect(page.frame_locator("iframe").get_by_text("Total: 49.99 USD")).to_be_visible()
            shot(page, "dev-mailbox-receipt")
            model.script = answer_script()
            page.goto(url + "/")
            ask(page, "How loud should my tracks be before mixing?")
            expect(page.locator(".message.assistant")).to_have_attribute("aria-busy", "false", timeout=20_000)
            expect(page.get_by_role("link", name="Source 1: Paid \u203a The secret recipe")).to_be_visible()
