"""The owner meets an outside agent's pending action as a card on the chat page and decides it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from core import identity
from core.db import Database
from core.settings import Settings
from courses.models import Course
from tests.conftest import PASSWORD, StoreWorld
from tests.live_server import LiveServer
from tools.base import ToolContext
from tools.registry import build_registry


def test_the_owner_approves_a_pending_unpublish_from_a_card(
    live: tuple[LiveServer, TestClient], page: Page, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    with db.transaction() as s:
        key = identity.resolve_api_key(s, identity.create_api_key(s, store_a.owner, "outside agent").token)
    ctx = ToolContext(db=db, principal=key, settings=settings, channel="mcp")
    held = build_registry().invoke("publish_course", ctx, {"course_id": store_a.course_id, "published": False})
    assert held["status"] == "pending"
    server, _ = live
    page.goto(server.url + "/")
    page.fill("#login-email", store_a.owner_email)
    page.fill("#login-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.get_by_role("group", name="An outside agent wants to run publish_course (publish).")).to_be_visible()
    card = page.locator(f'[data-action="{held["action_id"]}"]')
    expect(card.locator(".preview")).to_contain_text('"status": "draft"')
    card.get_by_role("button", name="Approve").click()
    expect(card.locator(".approval-title")).to_have_text("Approved and done: publish_course")
    with db.transaction() as s:
        course = s.get(Course, store_a.course_id)
        assert course is not None and course.status == "draft"
    page.wait_for_load_state("networkidle")
