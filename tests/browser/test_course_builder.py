"""A creator asks the course builder for an outline on the page, edits it in the tree, approves it,
watches the lessons being written, and finds the draft course."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.db import Database
from core.settings import Settings
from courses.models import Course, Lesson
from tests.agents.course_builder.factories import BRIEF, LESSON, outline_reply
from tests.browser.conftest import scripted_site, shot
from tests.browser.test_agent_picker import log_in
from tests.conftest import StoreWorld
from tests.live_server import LiveServer
from tests.scripted_model import ScriptedChatModel

MODEL = ScriptedChatModel(script=[])


@pytest.fixture
def site(settings: Settings, db: Database) -> Iterator[LiveServer]:
    with scripted_site(settings, db, MODEL) as server:
        yield server


def test_a_creator_edits_and_approves_an_outline_and_gets_the_draft_course(
    site: LiveServer, page: Page, db: Database, store_a: StoreWorld
) -> None:
    MODEL.script = [outline_reply(), *[LESSON] * 3]
    log_in(page, site, store_a.owner_email)
    page.select_option("#agent-select", "course_builder")
    page.select_option("#course-select", "")
    box = page.get_by_label("Your message")
    box.fill(BRIEF)
    box.press("Enter")
    card = page.get_by_role("group", name="Review the outline")
    expect(card.get_by_label("Course title")).to_have_value("Mixing vocals")
    shot(page, "outline-review")
    card.get_by_label("Lesson").first.fill("Hearing the room")
    card.get_by_role("button", name="Remove lesson").last.click()
    card.get_by_role("button", name="Create it as edited").click()
    publish = page.get_by_role("group", name="Publish the course?")
    expect(publish).to_contain_text("3 lesson(s)")
    expect(page.locator(".card.progress")).to_contain_text("Wrote 3 lesson(s).")
    shot(page, "publish-review")
    publish.get_by_role("button", name="Keep as draft").click()
    expect(page.locator(".message.assistant .body").last).to_contain_text("It stays a draft")
    with db.transaction() as s:
        course = s.scalars(
            select(Course).where(Course.store_id == store_a.store_id, Course.title == "Mixing vocals")
        ).one()
        titles = sorted(s.scalars(select(Lesson.title).where(Lesson.course_id == course.id)))
    assert course.status == "draft" and titles == ["Hearing the room", "Lesson 1.2", "Lesson 2.1"]
    page.wait_for_load_state("networkidle")


def test_asking_for_changes_needs_words_and_sends_them(site: LiveServer, page: Page, store_a: StoreWorld) -> None:
    MODEL.script = [outline_reply(), outline_reply(title="Vocals for podcasters")]
    log_in(page, site, store_a.owner_email)
    page.select_option("#agent-select", "course_builder")
    box = page.get_by_label("Your message")
    box.fill(BRIEF)
    box.press("Enter")
    card = page.get_by_role("group", name="Review the outline")
    card.get_by_role("button", name="Ask for changes").click()
    card.get_by_role("button", name="Send").click()
    expect(card.get_by_role("alert")).to_have_text("Say what should change.")
    card.get_by_label("What should change").fill("aim it at podcasters")
    card.get_by_role("button", name="Send").click()
    expect(page.get_by_role("group", name="Review the outline").last.get_by_label("Course title")).to_have_value(
        "Vocals for podcasters"
    )
    page.wait_for_load_state("networkidle")
