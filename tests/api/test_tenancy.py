"""One store's keys, staff-free owner and learners try every read and write on another store's
resources; every attempt fails exactly as for a resource that does not exist, and nothing changes."""

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core import identity
from core.db import Database
from courses import catalog, enrollments
from ingestion.documents import add_document, list_documents
from tests.conftest import StoreWorld, login, make_key, principal_of


@dataclass
class Target:
    world: StoreWorld
    enrollment_id: str
    member_id: str
    key_id: str
    document_id: str
    job_id: str


@pytest.fixture
def target(db: Database, store_a: StoreWorld) -> Target:
    with db.transaction() as s:
        enrollment = enrollments.list_enrollments(s, store_a.owner, store_a.course_id, None, 10).items[0]
        member = next(m for m, _ in identity.list_members(s, store_a.owner) if m.role == "learner")
        key = identity.create_api_key(s, store_a.owner, "alpha key").key
        upload = add_document(
            s, store_a.owner, store_a.course_id, store_a.paid_lesson_id, "n.md", b"# Notes\nalpha", None, 10_000
        )
        assert upload.job is not None
        return Target(store_a, enrollment.id, member.id, key.id, upload.document.id, upload.job.id)


def attempts(t: Target, intruder_email: str) -> list[tuple[str, str, dict | None]]:
    a = t.world
    return [
        ("GET", f"/v1/courses/{a.course_id}", None),
        ("GET", f"/v1/courses/{a.draft_course_id}", None),
        ("PATCH", f"/v1/courses/{a.course_id}", {"title": "pwned"}),
        ("DELETE", f"/v1/courses/{a.course_id}", None),
        ("POST", f"/v1/courses/{a.course_id}/publish", None),
        ("POST", f"/v1/courses/{a.course_id}/unpublish", None),
        ("GET", f"/v1/courses/{a.course_id}/outline", None),
        ("GET", f"/v1/courses/{a.course_id}/modules", None),
        ("POST", f"/v1/courses/{a.course_id}/modules", {"title": "x"}),
        ("PUT", f"/v1/courses/{a.course_id}/modules/order", {"ids": [a.module_id]}),
        ("PATCH", f"/v1/modules/{a.module_id}", {"title": "x"}),
        ("DELETE", f"/v1/modules/{a.module_id}", None),
        ("GET", f"/v1/modules/{a.module_id}/lessons", None),
        ("POST", f"/v1/modules/{a.module_id}/lessons", {"title": "x"}),
        (
            "PUT",
            f"/v1/modules/{a.module_id}/lessons/order",
            {"ids": [a.drip_lesson_id, a.paid_lesson_id, a.preview_lesson_id]},
        ),
        ("GET", f"/v1/lessons/{a.preview_lesson_id}", None),
        ("GET", f"/v1/lessons/{a.paid_lesson_id}", None),
        ("PATCH", f"/v1/lessons/{a.paid_lesson_id}", {"title": "x"}),
        ("DELETE", f"/v1/lessons/{a.paid_lesson_id}", None),
        ("PUT", f"/v1/lessons/{a.preview_lesson_id}/completion", None),
        ("DELETE", f"/v1/lessons/{a.preview_lesson_id}/completion", None),
        ("POST", f"/v1/courses/{a.course_id}/enrollments", {"email": intruder_email}),
        ("GET", f"/v1/courses/{a.course_id}/enrollments", None),
        ("DELETE", f"/v1/enrollments/{t.enrollment_id}", None),
        ("POST", f"/v1/courses/{a.course_id}/enroll", None),
        ("GET", f"/v1/courses/{a.course_id}/progress", None),
        ("DELETE", f"/v1/store/members/{t.member_id}", None),
        ("DELETE", f"/v1/keys/{t.key_id}", None),
        ("POST", f"/v1/courses/{a.course_id}/reindex", None),
        ("GET", f"/v1/lessons/{a.paid_lesson_id}/documents", None),
        ("DELETE", f"/v1/documents/{t.document_id}", None),
        ("GET", f"/v1/ingestion-jobs/{t.job_id}", None),
    ]


def _snapshot(db: Database, world: StoreWorld) -> list[tuple[str, ...]]:
    with db.transaction() as s:
        course = catalog.readable_course(s, world.owner, world.course_id)
        rows: list[tuple[str, ...]] = [(course.title, course.status)]
        for item in catalog.outline(s, world.owner, world.course_id):
            rows.append((item.module.id, item.module.title))
            rows += [(v.lesson.id, v.lesson.title, str(v.lesson.position)) for v in item.lessons]
        rows += [
            (e.id, str(e.revoked_at))
            for e in enrollments.list_enrollments(s, world.owner, world.course_id, None, 50).items
        ]
        rows += [(m.id, m.role) for m, _ in identity.list_members(s, world.owner)]
        rows += [(k.id, str(k.revoked_at)) for k in identity.list_api_keys(s, world.owner)]
        rows += [(d.id, d.filename) for d in list_documents(s, world.owner, world.paid_lesson_id)]
        return rows


@pytest.mark.parametrize("intruder", ["owner_session", "api_key", "learner_session"])
def test_other_store_cannot_touch_anything(
    client: TestClient, db: Database, target: Target, store_b: StoreWorld, intruder: str
) -> None:
    headers = {
        "owner_session": lambda: login(client, store_b.owner_email),
        "api_key": lambda: make_key(db, store_b),
        "learner_session": lambda: login(client, store_b.learner_email),
    }[intruder]()
    before = _snapshot(db, target.world)
    for method, path, body in attempts(target, store_b.learner_email):
        response = client.request(method, path, json=body, headers=headers)
        ghost_path, ghost_body = _ghost(path), _ghost(body)
        ghost = client.request(method, ghost_path, json=ghost_body, headers=headers)
        where = f"{intruder} {method} {path} -> {response.status_code} {response.text}"
        assert response.status_code in (403, 404), where
        assert response.status_code == ghost.status_code, where  # indistinguishable from a missing id
        assert response.headers["content-type"] == "application/problem+json"
    assert _snapshot(db, target.world) == before


def _ghost(value: Any) -> Any:
    """The same request with every id swapped for an id that exists nowhere."""
    if value is None:
        return None
    text = json.dumps(value) if not isinstance(value, str) else value
    text = re.sub(r"\b(crs|mod|lsn|enr|mem|key|doc|job)_[0-9a-z]{26}\b", lambda m: m.group(1) + "_" + "0" * 26, text)
    return text if isinstance(value, str) else json.loads(text)


def test_not_found_looks_the_same_for_foreign_and_missing(
    client: TestClient, target: Target, store_b: StoreWorld
) -> None:
    headers = login(client, store_b.owner_email)
    foreign = client.get(f"/v1/courses/{target.world.course_id}", headers=headers).json()
    missing = client.get("/v1/courses/crs_doesnotexist", headers=headers).json()
    assert foreign["status"] == missing["status"] == 404
    assert foreign["detail"].replace(target.world.course_id, "X") == missing["detail"].replace("crs_doesnotexist", "X")


def test_lists_never_include_another_store(
    client: TestClient, db: Database, target: Target, store_b: StoreWorld
) -> None:
    for headers in (
        login(client, store_b.owner_email),
        make_key(db, store_b),
        login(client, store_b.learner_email),
    ):
        ids = [c["id"] for c in client.get("/v1/courses", headers=headers).json()["data"]]
        assert target.world.course_id not in ids and target.world.draft_course_id not in ids
    keys = client.get("/v1/keys", headers=login(client, store_b.owner_email)).json()
    assert target.key_id not in [k["id"] for k in keys]


def test_cannot_move_own_lesson_into_foreign_module(client: TestClient, target: Target, store_b: StoreWorld) -> None:
    headers = login(client, store_b.owner_email)
    response = client.patch(
        f"/v1/lessons/{store_b.paid_lesson_id}", json={"module_id": target.world.module_id}, headers=headers
    )
    assert response.status_code == 404


def test_service_layer_refuses_foreign_ids_too(db: Database, target: Target, store_b: StoreWorld) -> None:
    """The rule lives in the service, not the router: a direct call fails the same way."""
    from core.errors import NotFound

    learner_b = principal_of(db, store_b.learner_email, store_b.store_id)
    for principal in (store_b.owner, learner_b):
        with pytest.raises(NotFound), db.transaction() as s:
            catalog.read_lesson(s, principal, target.world.preview_lesson_id)


def test_the_owner_sets_the_stores_colours_and_logo(client: TestClient, store_a: StoreWorld) -> None:
    auth = login(client, store_a.owner_email, store_a.slug)
    brand = {"color": "#102030", "logo_url": "https://cdn.example.com/logo.png"}
    changed = client.patch("/v1/store", json={"brand": brand}, headers=auth)
    assert changed.status_code == 200 and changed.json()["brand"]["color"] == "#102030"
    kept = client.patch("/v1/store", json={"name": "Renamed"}, headers=auth).json()
    assert kept["name"] == "Renamed" and kept["brand"]["logo_url"] == brand["logo_url"]
    refused = client.patch("/v1/store", json={"brand": {"color": "red"}}, headers=auth)
    assert refused.status_code == 422 and "brand.color" in refused.text


def test_the_owner_sets_an_export_webhook_and_gets_its_signing_secret(client: TestClient, store_a: StoreWorld) -> None:
    auth = login(client, store_a.owner_email, store_a.slug)
    made = client.put("/v1/store/export-webhook", json={"url": "https://hooks.example.com/academy"}, headers=auth)
    assert made.status_code == 200 and made.json()["secret"].startswith("whsec_")
    moved = client.put("/v1/store/export-webhook", json={"url": "https://hooks.example.com/v2"}, headers=auth).json()
    assert moved["secret"] == made.json()["secret"] and moved["events"] == ["social_posts.saved"]
    assert client.get("/v1/store/export-webhook", headers=auth).json()["url"] == "https://hooks.example.com/v2"
    cleared = client.put("/v1/store/export-webhook", json={"url": ""}, headers=auth).json()
    assert cleared == {"url": None, "secret": None, "events": ["social_posts.saved"]}


def test_only_the_signed_in_owner_reads_the_export_webhooks_secret(
    client: TestClient, db: Database, store_a: StoreWorld
) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    secret = client.put("/v1/store/export-webhook", json={"url": "https://hooks.example.com/a"}, headers=owner).json()
    key = make_key(db, store_a)
    seen = client.get("/v1/store/export-webhook", headers=key).json()
    moved = client.put("/v1/store/export-webhook", json={"url": "https://hooks.example.com/b"}, headers=key).json()
    assert (seen["url"], seen["secret"], moved["secret"]) == ("https://hooks.example.com/a", None, None)
    assert client.get("/v1/store/export-webhook", headers=owner).json()["secret"] == secret["secret"]


def test_an_export_webhook_address_that_cannot_be_used_is_a_422(client: TestClient, store_a: StoreWorld) -> None:
    auth = login(client, store_a.owner_email, store_a.slug)
    refused = client.put("/v1/store/export-webhook", json={"url": "ftp://hooks.example.com"}, headers=auth)
    assert refused.status_code == 422 and "url" in refused.text


def test_a_learner_cannot_read_the_export_webhooks_secret(client: TestClient, store_a: StoreWorld) -> None:
    learner = login(client, store_a.learner_email, store_a.slug)
    assert client.get("/v1/store/export-webhook", headers=learner).status_code == 403
    assert (
        client.put("/v1/store/export-webhook", json={"url": "https://x.example.com"}, headers=learner).status_code
        == 403
    )
