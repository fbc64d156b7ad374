"""The invitation page in a real browser: a person opens the link a creator copied, creates their
account with the invited address, and lands in the store's chat as a learner of the course."""

from __future__ import annotations

from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.conftest import StoreWorld, login
from tests.live_server import LiveServer


def _invitation_path(client: TestClient, store: StoreWorld, email: str) -> str:
    owner = login(client, store.owner_email)
    answer = client.post(f"/v1/courses/{store.course_id}/enrollments", json={"email": email}, headers=owner).json()
    return "/invitations/" + answer["invitation"]["link"].rsplit("/invitations/", 1)[1]


def test_a_new_person_signs_up_from_the_link_and_joins_the_course(
    live: tuple[LiveServer, TestClient], page: Page, store_a: StoreWorld
) -> None:  # `live` first: the server outlives the page, so the chat page's last requests are answered
    server, client = live
    page.goto(server.url + _invitation_path(client, store_a, "newcomer@example.com"))
    expect(page.locator("#invite-offer")).to_have_text(
        "Store alpha invites newcomer@example.com to join the course “alpha course”."
    )
    shot(page, "invitation")
    page.fill("#signup-name", "New Comer")
    page.fill("#signup-password", "a-good-password")
    page.click("#invite-signup button")
    page.wait_for_url(server.url + "/")
    expect(page.locator("#who")).to_contain_text("newcomer@example.com · Store alpha")
    page.wait_for_load_state("networkidle")


def test_a_withdrawn_link_says_so(live: tuple[LiveServer, TestClient], page: Page, store_a: StoreWorld) -> None:
    server, client = live
    path = _invitation_path(client, store_a, "gone@example.com")
    owner = login(client, store_a.owner_email)
    invitation = client.get("/v1/store/invitations", headers=owner).json()[0]
    client.delete(f"/v1/invitations/{invitation['id']}", headers=owner)
    page.goto(server.url + path)
    expect(page.locator("#invite-error")).to_contain_text("withdrawn")
    expect(page.locator("#invite-signup")).to_be_hidden()
