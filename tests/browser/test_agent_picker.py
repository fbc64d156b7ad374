"""The chat page's agent picker lists what the registry offers the logged-in role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import AIMessage
from playwright.sync_api import Page, expect

from agents.installed import installed
from api.app import create_app
from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import call, manager
from tests.agents import toy_agent
from tests.conftest import PASSWORD, StoreWorld
from tests.live_server import LiveServer, serve
from tests.scripted_model import ScriptedChatModel

MODEL = ScriptedChatModel(script=[])


@pytest.fixture
def toy_site(settings: Settings, db: Database) -> Iterator[LiveServer]:
    MODEL.script = []
    runs = manager(db, settings, None, MODEL, agents=installed(extra=[toy_agent.DEFINITION]))
    app = create_app(settings, db=db, run_jobs=False, runs=runs)
    with TestClient(app), serve(app) as server:
        yield server


def log_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(server.url + "/")
    page.fill("#login-email", email)
    page.fill("#login-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#composer-input")).to_be_enabled()


@pytest.mark.parametrize(
    ("who", "offered"),
    [
        (
            "owner",
            [
                "Course assistant",
                "Cheat sheets & guides",
                "Course builder",
                "Creator assistant",
                "Video scripter",
                "Email writer",
                "Social writer",
                "Toy outliner",
            ],
        ),
        ("learner", ["Course assistant"]),
    ],
)
def test_the_picker_lists_the_agents_offered_to_the_role(
    toy_site: LiveServer, page: Page, store_a: StoreWorld, who: str, offered: list[str]
) -> None:
    log_in(page, toy_site, store_a.owner_email if who == "owner" else store_a.learner_email)
    expect(page.locator("#agent-select option")).to_have_text(offered)
    page.wait_for_load_state("networkidle")


def test_a_creator_talks_to_the_toy_agent_on_the_page(toy_site: LiveServer, page: Page, store_a: StoreWorld) -> None:
    MODEL.script = [
        call("get_course_outline", {"course_id": store_a.course_id}),
        AIMessage(content=""),
        "The course has three lessons.",
    ]
    log_in(page, toy_site, store_a.owner_email)
    page.select_option("#agent-select", "toy_outliner")
    box = page.get_by_label("Your message")
    box.fill("What is in my course?")
    box.press("Enter")
    expect(page.locator(".message.assistant .body")).to_contain_text(
        "Here is what I found. The course has three lessons."
    )
    page.wait_for_load_state("networkidle")
