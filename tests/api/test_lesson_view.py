"""The lesson view that citations open: rendered, sanitized, anchored, and as private as the lesson."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import Database
from courses import catalog
from ingestion.loaders import load_markdown
from tests.conftest import PASSWORD, StoreWorld, build_store

BODY = """# Paid

Intro text.

## Gain **staging** and [levels](https://example.com)

Keep peaks under -6 dBFS.<script>alert('x')</script>

<img src="x" onerror="alert(1)">

## Gain staging and levels
"""


def sign_in(client: TestClient, email: str) -> None:
    """Logs in the way the web page does: the session cookie, no Authorization header."""
    response = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD, "store": "alpha"})
    assert response.status_code == 200 and "academy_session" in client.cookies


def set_body(db: Database, store: StoreWorld, body: str) -> None:
    with db.transaction() as s:
        catalog.update_lesson(s, store.owner, store.paid_lesson_id, {"body_md": body})


def test_a_lesson_renders_with_heading_anchors_that_match_citations(
    client: TestClient, db: Database, store_a: StoreWorld
) -> None:
    set_body(db, store_a, BODY)
    sign_in(client, store_a.learner_email)
    response = client.get(f"/courses/main/lessons/{store_a.paid_lesson_id}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    anchors = [s.anchor for s in load_markdown(BODY, "Paid").sections]
    assert f'id="{anchors[-1]}"' in response.text  # the anchor the retriever cites
    assert 'id="gain-staging-and-levels-1"' in response.text  # a repeated heading gets its own id
    assert "<strong>staging</strong>" in response.text


def test_lesson_html_is_sanitized(client: TestClient, db: Database, store_a: StoreWorld) -> None:
    set_body(db, store_a, BODY)
    sign_in(client, store_a.owner_email)
    text = client.get(f"/courses/main/lessons/{store_a.paid_lesson_id}").text
    assert "<script>alert" not in text and "onerror" not in text


def test_a_lesson_needs_a_login(client: TestClient, store_a: StoreWorld) -> None:
    response = client.get(f"/courses/main/lessons/{store_a.paid_lesson_id}")
    assert response.status_code == 401 and "/?next=/courses/main/lessons/" in response.text


def test_a_locked_lesson_says_why(client: TestClient, db: Database, store_a: StoreWorld) -> None:
    sign_in(client, store_a.learner_email)
    response = client.get(f"/courses/main/lessons/{store_a.drip_lesson_id}")
    assert response.status_code == 403 and "unlocks on" in response.text


def test_another_stores_lesson_is_not_found(client: TestClient, db: Database, store_a: StoreWorld) -> None:
    other = build_store(db, "beta")
    sign_in(client, store_a.learner_email)
    response = client.get(f"/courses/main/lessons/{other.paid_lesson_id}")
    assert response.status_code == 404 and "<script" not in response.text
