"""A creator asks for a LinkedIn post, reads its virality score and the reasons for it, edits the
words and sees them scored again, then saves the post; the email writer's drafts are shown as their
recipient will see them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import indexed_store
from tests.agents.email_writer.test_graph import NURTURE, PITCH, sequence
from tests.agents.social_writer.test_graph import LINKEDIN, posts
from tests.agents.video_scripter.test_graph import CADENCES
from tests.browser.conftest import scripted_site
from tests.browser.test_agent_picker import log_in
from tests.conftest import StoreWorld
from tests.live_server import LiveServer
from tests.scripted_model import ScriptedChatModel

MODEL = ScriptedChatModel(script=[])


@pytest.fixture
def site(settings: Settings, db: Database, store_a: StoreWorld, tmp_path: Path) -> Iterator[LiveServer]:
    for _world, runtime in indexed_store(db, store_a, CADENCES, tmp_path / "index"):
        with scripted_site(settings, db, MODEL, runtime) as server:
            yield server


def ask(page: Page, site: LiveServer, store: StoreWorld, agent: str, message: str) -> None:
    log_in(page, site, store.owner_email)
    page.select_option("#agent-select", agent)
    page.select_option("#course-select", store.course_id)
    box = page.get_by_label("Your message")
    box.fill(message)
    box.press("Enter")


def test_a_creator_edits_a_post_sees_it_scored_again_and_saves_it(
    site: LiveServer, page: Page, store_a: StoreWorld
) -> None:
    MODEL.script = [posts(("linkedin", [LINKEDIN])), json.dumps({"scores": [4]})]
    ask(page, site, store_a, "social_writer", "Write a LinkedIn post for this course")
    card = page.locator(".card.approval").last
    expect(card.locator(".post-head")).to_contain_text("LinkedIn · virality")
    card.get_by_text("Why this score").click()
    expect(card).to_contain_text("hook: the opening sentence is short")
    card.get_by_label("Text").fill("Cadences, explained. Enroll today.")
    card.get_by_role("button", name="Score my edit").click()
    again = page.locator(".card.approval").last
    expect(again.get_by_label("Text")).to_have_value("Cadences, explained. Enroll today.")
    expect(again.locator(".post-head")).to_contain_text("(first draft")  # scored anew, beside the draft's score
    again.get_by_role("button", name="Save the posts").click()
    expect(page.locator(".card.artifact")).to_contain_text("Posts for")


def test_a_sequence_is_previewed_as_its_recipient_sees_it(site: LiveServer, page: Page, store_a: StoreWorld) -> None:
    MODEL.script = sequence([*NURTURE, *PITCH])
    ask(page, site, store_a, "email_writer", "Write a 4-email sequence for this course")
    card = page.locator(".card.approval").last
    expect(card.locator("iframe.email-frame")).to_have_count(4)
    frame = card.frame_locator("iframe.email-frame").nth(1)
    expect(frame.get_by_text("Hi Sam,")).to_be_visible()
    expect(frame.get_by_text("The authentic cadence moves from the dominant to the tonic.")).to_be_visible()
