"""A creator asks for a 30-second promo video of their course, confirms the one promise the course does
not hold, and plays the rendered video in the page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import indexed_store
from tests.agents.video_scripter.test_graph import CADENCES, scene
from tests.browser.conftest import scripted_site
from tests.browser.test_agent_picker import log_in
from tests.conftest import StoreWorld
from tests.live_server import LiveServer
from tests.scripted_model import ScriptedChatModel

MODEL = ScriptedChatModel(script=[])
SCENES = [scene("Every phrase comes to rest in a cadence.", "Hear the cadence", 8),
          scene("Learn the authentic cadence, from the dominant to the tonic.", "Authentic cadence", 8),
          scene("The half cadence ends on the dominant and leaves the phrase open.", "Half cadence", 7),
          scene("Get a certificate you can frame.", "Enroll", 7)]  # fmt: skip


@pytest.fixture
def site(settings: Settings, db: Database, store_a: StoreWorld, tmp_path: Path) -> Iterator[LiveServer]:
    for _world, runtime in indexed_store(db, store_a, CADENCES, tmp_path / "index"):
        with scripted_site(settings, db, MODEL, runtime) as server:
            yield server


def test_a_creator_gets_a_promo_video_and_plays_it(site: LiveServer, page: Page, store_a: StoreWorld) -> None:
    script = json.dumps({"title": "Hear the cadence", "scenes": SCENES})
    MODEL.script = [script, script]  # drafted, then drafted again (the certificate is not in the course)
    log_in(page, site, store_a.owner_email)
    page.select_option("#agent-select", "video_scripter")
    page.select_option("#course-select", store_a.course_id)
    box = page.get_by_label("Your message")
    box.fill("Make a 30-second promo video of this course")
    box.press("Enter")
    card = page.locator(".card.approval").last
    expect(card).to_contain_text("Make the video “Hear the cadence”?")
    expect(card.locator(".scenes li")).to_have_count(4)
    flag = card.get_by_label("I stand by this: “Get a certificate you can frame.” (the course does not show it)")
    expect(flag).to_be_visible()  # the claim check's flag, inline
    card.get_by_role("button", name="Make the video").click()
    again = page.locator(".card.approval").last
    expect(again).to_contain_text("Confirm each promise the course does not hold")
    again.locator(".claim-flag input").check()
    again.get_by_role("button", name="Make the video").click()
    video = page.locator(".card.artifact video")
    expect(video).to_be_visible(timeout=120_000)
    playing = page.evaluate(
        """async () => { const v = document.querySelector('.card.artifact video'); v.muted = true;
        await v.play(); await new Promise((r) => setTimeout(r, 600)); return [v.currentTime, v.duration]; }"""
    )
    assert playing[0] > 0 and 25 <= playing[1] <= 40
    expect(page.locator(".message.assistant .body").last).to_contain_text("Watch it: /v1/artifacts/")
