"""The lesson view that citations open: rendered, sanitized, anchored, and as private as the lesson."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import Database
from core.settings import Settings
from core.storage.factory import make_storage_provider
from courses import artifacts, catalog
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


def test_a_lessons_video_plays_on_its_page_with_its_captions(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    with db.transaction() as s:
        common = {"course_id": store_a.course_id, "lesson_id": store_a.preview_lesson_id}
        objects = make_storage_provider(settings)
        video = artifacts.save_artifact(s, store_a.owner, objects, kind="video", title="Hear the cadence",
                                        data=b"mp4", content_type="video/mp4", **common)  # fmt: skip
        vtt = artifacts.save_artifact(s, store_a.owner, objects, kind="captions", title="Hear the cadence (captions)",
                                      data=b"WEBVTT\n", content_type="text/vtt", **common)  # fmt: skip
        slug = catalog.course_in_store(s, store_a.owner, store_a.course_id).slug
    sign_in(client, store_a.learner_email)
    page = client.get(f"/courses/{slug}/lessons/{store_a.preview_lesson_id}").text
    assert f'<video controls preload="metadata" src="/v1/artifacts/{video.id}/file">' in page
    assert f'<track kind="captions" srclang="en" label="English" default src="/v1/artifacts/{vtt.id}/file">' in page
