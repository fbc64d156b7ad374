"""A creator asks for a cheat sheet on the page, approves the draft, and opens the PDF."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from core.db import Database
from core.settings import Settings
from tests.agents.study_guides.factories import GOOD, drafted, studio_course, verdict
from tests.browser.conftest import scripted_site
from tests.browser.test_agent_picker import log_in
from tests.conftest import StoreWorld
from tests.live_server import LiveServer
from tests.scripted_model import ScriptedChatModel

MODEL = ScriptedChatModel(script=[])


@pytest.fixture
def site(settings: Settings, db: Database) -> Iterator[LiveServer]:
    with scripted_site(settings, db, MODEL) as server:
        yield server


def test_a_creator_approves_a_cheat_sheet_and_opens_the_pdf(
    site: LiveServer, page: Page, db: Database, store_a: StoreWorld
) -> None:
    course_id = studio_course(db, store_a)
    MODEL.script = [drafted(GOOD), verdict(True)]
    log_in(page, site, store_a.owner_email)
    page.select_option("#agent-select", "study_guides")
    page.select_option("#course-select", course_id)
    box = page.get_by_label("Your message")
    box.fill("Make a cheat sheet")
    box.press("Enter")
    card = page.locator(".card.approval").last
    expect(card).to_contain_text("1 entries, each citing its lesson")
    expect(card.locator("li")).to_have_text(["Foundations"])
    card.get_by_role("button", name="Save the PDF").click()
    expect(page.locator(".card.artifact .artifact-title")).to_contain_text("version 1")
    link = page.locator(".card.artifact a", has_text="Open PDF")
    expect(link).to_be_visible()
    expect(page.locator(".message.assistant .body").last).to_contain_text("Saved the cheat sheet (version 1)")
    response = page.request.get(site.url + str(link.get_attribute("href")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    page.wait_for_load_state("networkidle")
