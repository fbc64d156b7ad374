"""The chat page in a real browser: Playwright driving Debian's Chromium against a live server, with
the scripted model writing at a fixed rate. Screenshots go to tests/browser/screenshots (the best
ones are committed under docs/)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from playwright.sync_api import Page, Route, expect

from agents.runs import RunManager
from api.app import create_app
from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import call, indexed_store, manager
from tests.browser.conftest import shot
from tests.conftest import PASSWORD, StoreWorld
from tests.live_server import DroppingProxy, serve
from tests.scripted_model import ScriptedChatModel

LESSON = (
    "# Paid\n\nWhy levels matter before anything else.\n\n## The secret recipe\n\n"
    "alpha secret recipe: keep peaks near -6 dBFS on every track, then mix. "
    + " ".join(f"Step {i}: check the meter, trim the input, listen again." for i in range(15))
    + "\n"
)
ANSWER = (
    "Keep your peaks near -6 dBFS on every track before you start mixing [1]. "
    "That leaves headroom for the master bus and keeps plugins in their sweet spot."
)


@dataclass
class Site:
    url: str
    model: ScriptedChatModel
    runs: RunManager
    store: StoreWorld
    proxy: DroppingProxy


@pytest.fixture
def indexed(db: Database, store_a: StoreWorld, tmp_path: Path) -> Iterator[tuple[StoreWorld, Any]]:
    yield from indexed_store(db, store_a, LESSON, tmp_path / "index")


def make_site(settings: Settings, db: Database, indexed: Any, tmp_path: Path, registry: Any = None) -> Iterator[Site]:
    store, runtime = indexed
    model = ScriptedChatModel(script=[], chunk_delay=0.06, chunk_chars=6)
    runs = manager(db, settings, runtime, model, registry=registry, workers=2)
    app = create_app(settings, db=db, run_jobs=False, runs=runs)
    with serve(app) as live:
        proxy = DroppingProxy(int(live.url.rsplit(":", 1)[1]))
        yield Site(proxy.url, model, runs, store, proxy)
        proxy.close()


@pytest.fixture
def site(settings: Settings, db: Database, indexed: Any, tmp_path: Path) -> Iterator[Site]:
    yield from make_site(settings, db, indexed, tmp_path)


@pytest.fixture
def approval_site(settings: Settings, db: Database, indexed: Any, tmp_path: Path, send_registry: Any) -> Iterator[Site]:
    yield from make_site(settings, db, indexed, tmp_path, registry=send_registry)


def log_in(page: Page, site: Site) -> None:
    page.goto(site.url + "/")
    page.get_by_label("Email").fill(site.store.learner_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Store").fill(site.store.slug)
    shot(page, "login")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("log", name="Conversation")).to_be_visible()


def ask(page: Page, question: str) -> None:
    box = page.get_by_label("Your message")
    box.fill(question)
    box.press("Enter")


def answer_script() -> list[Any]:
    return [call("search_course_content", {"query": "secret recipe peaks dBFS"}), AIMessage(content=""), ANSWER]


def test_a_message_streams_into_the_page(page: Page, site: Site) -> None:
    site.model.script = answer_script()
    log_in(page, site)
    ask(page, "How loud should my tracks be before mixing?")
    answer = page.locator(".message.assistant .body")
    expect(answer).to_contain_text("Keep your peaks")  # the first words, while it is still writing
    partial = answer.inner_text()
    assert len(partial) < len(ANSWER)
    expect(page.locator(".message.assistant")).to_have_attribute("aria-busy", "false", timeout=20_000)
    expect(answer).to_contain_text("sweet spot")
    expect(page.locator(".tool")).to_contain_text("Searching the course")
    expect(page.get_by_role("link", name="Source 1: Paid \u203a The secret recipe")).to_be_visible()
    expect(page.get_by_role("button", name="How loud should my tracks be before mixing?")).to_be_visible()
    shot(page, "chat-answer")


def test_a_citation_opens_the_lesson_at_its_heading(page: Page, site: Site) -> None:
    site.model.script = answer_script()
    log_in(page, site)
    ask(page, "How loud should my tracks be?")
    expect(page.locator(".message.assistant")).to_have_attribute("aria-busy", "false", timeout=20_000)
    with page.context.expect_page() as opened:
        page.locator("a.cite").first.click()
    lesson = opened.value
    lesson.wait_for_load_state()
    assert lesson.url.endswith(f"/courses/main/lessons/{site.store.paid_lesson_id}#the-secret-recipe")
    heading = lesson.get_by_role("heading", name="The secret recipe")
    expect(heading).to_be_in_viewport()
    assert lesson.evaluate("document.querySelector(':target')?.id") == "the-secret-recipe"
    shot(lesson, "lesson-view")


def test_an_approval_card_approves_a_paused_tool_call(page: Page, approval_site: Site) -> None:
    site = approval_site
    site.model.script = [call("send_note", {"text": "hello"}), AIMessage(content=""), "Your note is on its way."]
    log_in(page, site)
    ask(page, "Send a note to my teacher")
    card = page.get_by_role("group", name="The assistant wants to run send_note. Allow it?")
    expect(card).to_be_visible(timeout=20_000)
    expect(card).to_contain_text('"text": "hello"')
    shot(page, "approval-card")
    card.get_by_role("button", name="Approve").click()
    expect(page.locator(".message.assistant .body")).to_contain_text("Your note is on its way.", timeout=20_000)
    expect(page.locator(".tool").first).to_contain_text("done")


def test_a_dropped_connection_loses_no_text(page: Page, site: Site) -> None:
    long_answer = ANSWER + " " + " ".join(f"Point {i} about gain staging." for i in range(12))
    site.model.script = [AIMessage(content=""), long_answer]
    log_in(page, site)
    ask(page, "Tell me everything about levels")
    answer = page.locator(".message.assistant .body")
    expect(answer).to_contain_text("Keep your peaks")
    assert site.proxy.drop_all() >= 1  # the network drops mid-answer
    expect(page.locator(".message.assistant")).to_have_attribute("aria-busy", "false", timeout=30_000)
    assert answer.inner_text().strip() == long_answer


def test_a_message_cannot_be_sent_before_the_chat_has_loaded(page: Page, site: Site) -> None:
    """Regression: a message sent while the page still loaded the thread list was wiped from view
    when the loading finished and opened the chat named in the address over it."""
    held: list[Route] = []

    def hold_thread_list(route: Route) -> None:
        if route.request.method == "GET":
            held.append(route)
        else:
            route.continue_()

    page.route("**/v1/threads", hold_thread_list)
    log_in(page, site)
    box = page.get_by_label("Your message")
    expect(box).to_be_disabled()
    while not held:
        page.wait_for_timeout(20)
    for route in held:
        route.continue_()
    page.unroute("**/v1/threads")
    expect(box).to_be_enabled()
    site.model.script = [AIMessage(content=""), "A short answer."]
    ask(page, "Is anyone there?")
    expect(page.locator(".message.assistant .body")).to_contain_text("A short answer.", timeout=20_000)
    expect(page.locator(".message.user")).to_have_text("Is anyone there?")
