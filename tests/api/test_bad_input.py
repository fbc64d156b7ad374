"""Bad input gets a 4xx problem body naming the problem, and the database is left as it was."""

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.deps import DB, Caller
from core.db import Database
from core.errors import Conflict
from core.security import sign_token
from core.settings import Settings
from courses import catalog
from courses.models import Course, Lesson
from tests.conftest import TEST_SECRET, StoreWorld, login, make_key


@pytest.fixture
def owner(client: TestClient, store_a: StoreWorld) -> dict[str, str]:
    return login(client, store_a.owner_email)


def _counts(db: Database) -> tuple[int, int]:
    with db.transaction() as s:
        return (
            int(s.scalar(select(func.count(Course.id))) or 0),
            int(s.scalar(select(func.count(Lesson.id))) or 0),
        )


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_malformed_json(client: TestClient, owner: dict[str, str], db: Database) -> None:
    before = _counts(db)
    response = client.post(
        "/v1/courses", content=b'{"slug": "x",', headers={**owner, "content-type": "application/json"}
    )
    assert _is_problem(response, 400)["title"] == "Malformed JSON"
    assert _counts(db) == before


def test_wrong_type_names_the_field(client: TestClient, owner: dict[str, str]) -> None:
    body = _is_problem(client.post("/v1/courses", json={"slug": "x", "title": 5}, headers=owner), 422)
    assert body["errors"] == [{"field": "title", "message": "Input should be a valid string"}]


def test_unknown_field_is_refused(client: TestClient, owner: dict[str, str]) -> None:
    body = _is_problem(
        client.post("/v1/courses", json={"slug": "x", "title": "X", "colour": "red"}, headers=owner), 422
    )
    assert body["errors"] == [{"field": "colour", "message": "unknown field"}]


def test_missing_field_is_named(client: TestClient, owner: dict[str, str]) -> None:
    body = _is_problem(client.post("/v1/courses", json={"slug": "x"}, headers=owner), 422)
    assert body["errors"] == [{"field": "title", "message": "field required"}]


def test_nested_field_path_is_named(client: TestClient, owner: dict[str, str], store_a: StoreWorld) -> None:
    body = _is_problem(
        client.put(f"/v1/modules/{store_a.module_id}/lessons/order", json={"ids": ["a", 3]}, headers=owner),
        422,
    )
    assert body["errors"][0]["field"] == "ids.1"


def test_oversized_declared_body_is_413(client: TestClient, owner: dict[str, str], db: Database) -> None:
    before = _counts(db)
    huge = {"slug": "big", "title": "Big", "description": "x" * (70 * 1024)}
    body = _is_problem(client.post("/v1/courses", json=huge, headers=owner), 413)
    assert "65536 bytes" in body["detail"]
    assert _counts(db) == before


def test_oversized_chunked_body_is_413(client: TestClient, owner: dict[str, str]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"slug": "big", "title": "Big", "description": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'

    response = client.post("/v1/courses", content=chunks(), headers={**owner, "content-type": "application/json"})
    _is_problem(response, 413)


def test_small_chunked_body_still_works(client: TestClient, owner: dict[str, str]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"slug": "chunky", '
        yield b'"title": "Chunky"}'

    response = client.post("/v1/courses", content=chunks(), headers={**owner, "content-type": "application/json"})
    assert response.status_code == 201, response.text


def test_duplicate_slug_is_409_naming_the_field(client: TestClient, owner: dict[str, str], db: Database) -> None:
    before = _counts(db)
    body = _is_problem(client.post("/v1/courses", json={"slug": "main", "title": "Again"}, headers=owner), 409)
    assert body["field"] == "slug"
    assert _counts(db) == before


def test_bad_slug_is_422(client: TestClient, owner: dict[str, str]) -> None:
    body = _is_problem(client.post("/v1/courses", json={"slug": "Not A Slug", "title": "X"}, headers=owner), 422)
    assert body["errors"][0]["field"] == "slug"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "eyJ4IjoxfQ"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 999}, "limit"),
    ],
)
def test_bad_pagination_is_422(client: TestClient, owner: dict[str, str], params: dict, field: str) -> None:
    body = _is_problem(client.get("/v1/courses", params=params, headers=owner), 422)
    assert body["errors"][0]["field"] == field


def test_expired_session_is_401(client: TestClient, store_a: StoreWorld) -> None:
    token = sign_token(TEST_SECRET, {"sub": store_a.owner.user_id, "sto": store_a.store_id}, -5, "session")
    body = _is_problem(client.get("/v1/courses", headers={"Authorization": f"Bearer {token}"}), 401)
    assert "expired" in body["detail"]


def test_expired_api_key_is_401(client: TestClient, db: Database, store_a: StoreWorld) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from core.db import utcnow
    from core.models import ApiKey

    headers = make_key(db, store_a)
    with db.transaction() as s:
        s.execute(update(ApiKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert "expired" in _is_problem(client.get("/v1/courses", headers=headers), 401)["detail"]


def test_malformed_api_key_is_401(client: TestClient) -> None:
    body = _is_problem(client.get("/v1/courses", headers={"Authorization": "Bearer acd_nope"}), 401)
    assert "malformed" in body["detail"]


def test_missing_scope_is_403_naming_it(client: TestClient, db: Database, store_a: StoreWorld) -> None:
    headers = make_key(db, store_a, ["courses:read"])
    body = _is_problem(client.post("/v1/courses", json={"slug": "n", "title": "N"}, headers=headers), 403)
    assert body["scope"] == "courses:write"


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    assert "no such endpoint" in _is_problem(client.get("/v1/nothing-here"), 404)["detail"]


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    _is_problem(client.put("/healthz"), 405)


def test_invalid_drip_writes_nothing(
    client: TestClient, owner: dict[str, str], store_a: StoreWorld, db: Database
) -> None:
    before = _counts(db)
    response = client.post(
        f"/v1/modules/{store_a.module_id}/lessons", json={"title": "x", "drip_days": -3}, headers=owner
    )
    assert _is_problem(response, 422)["errors"][0]["field"] == "drip_days"
    assert _counts(db) == before


def test_failed_request_rolls_back_its_earlier_writes(settings, db: Database, store_a: StoreWorld) -> None:
    """A handler that writes and then fails leaves nothing behind: one transaction per request."""
    from api.app import create_app

    app = create_app(settings, db=db, run_jobs=False)

    @app.post("/test/write-then-fail")
    def write_then_fail(session: DB, caller: Caller) -> None:
        catalog.create_course(session, caller, slug="half", title="Half written")
        raise Conflict("failing after a write")

    before = _counts(db)
    with TestClient(app) as client:
        response = client.post("/test/write-then-fail", headers=login(client, store_a.owner_email))
    assert response.status_code == 409
    assert _counts(db) == before


def test_reorder_with_bad_ids_keeps_order(client: TestClient, owner: dict[str, str], store_a: StoreWorld) -> None:
    before = client.get(f"/v1/modules/{store_a.module_id}/lessons", headers=owner).json()
    response = client.put(
        f"/v1/modules/{store_a.module_id}/lessons/order",
        json={"ids": [store_a.paid_lesson_id]},
        headers=owner,
    )
    _is_problem(response, 422)
    assert client.get(f"/v1/modules/{store_a.module_id}/lessons", headers=owner).json() == before


def test_an_error_detail_named_status_never_breaks_the_problem_document() -> None:
    """Regression: a Conflict carrying {"status": ...} in its extras made the error handler raise (a 500)."""
    import asyncio

    from starlette.requests import Request

    from api.problems import _app_error
    from core.errors import Conflict

    request = Request({"type": "http", "method": "POST", "path": "/v1/runs/x/cancel", "headers": []})
    response = asyncio.run(_app_error(request, Conflict("already done", extra={"status": "completed", "run": "x"})))
    assert response.status_code == 409
    assert json.loads(bytes(response.body))["status"] == 409 and json.loads(bytes(response.body))["run"] == "x"


# --- every PATCH member, explicit null (found by fuzzing: 500s and 409s) --------------------


def _patch_members(client: TestClient) -> list[tuple[str, str, bool]]:
    """(path, member, nullable) for every member of every PATCH body in the OpenAPI document."""
    spec = client.get("/openapi.json").json()
    found = []
    for path, operations in spec["paths"].items():
        if "patch" not in operations:
            continue
        ref = operations["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
        for name, prop in schema["properties"].items():
            nullable = any(branch.get("type") == "null" for branch in prop.get("anyOf", []))
            found.append((path, name, nullable))
    return found


def _patch_target(path: str, store_a: StoreWorld, db: Database, settings: Settings) -> str:
    ids = {"course_id": store_a.course_id, "module_id": store_a.module_id, "lesson_id": store_a.paid_lesson_id}
    if "{product_id}" in path:
        from commerce import catalog

        with db.transaction() as s:
            ids["product_id"] = catalog.create_product(s, store_a.owner, "digital", "Stems").id
    if "{template_id}" in path:
        from mail import library

        with db.transaction() as s:
            made = library.create_template(s, store_a.owner, settings, "News", "News", "<p>Hi</p>")
            ids["template_id"] = made.id
    if "{segment_id}" in path:
        from mail import segments

        with db.transaction() as s:
            rule = segments.parse_rule({"rule": "tag", "tag": "vip"})
            ids["segment_id"] = segments.create_segment(s, store_a.owner, "VIPs", rule).id
    if "{contact_id}" in path:
        from mail import contacts

        with db.transaction() as s:
            ids["contact_id"] = contacts.add_contact(s, store_a.owner, "patch@example.com").id
    if "{workflow_id}" in path:
        from mail.workflows import service

        with db.transaction() as s:
            graph = {"trigger": {"type": "contact_added"}, "start": "end", "nodes": {"end": {"type": "exit"}}}
            ids["workflow_id"] = service.create_workflow(s, store_a.owner, "Flow", graph).id
    return path.format(**ids)


def test_every_null_patch_member_is_a_422_naming_it_or_a_clean_answer(
    client: TestClient, owner: dict[str, str], store_a: StoreWorld, db: Database, settings: Settings
) -> None:
    members = _patch_members(client)
    assert {p for p, _, _ in members} >= {"/v1/courses/{course_id}", "/v1/lessons/{lesson_id}", "/v1/store"}
    for path, name, _ in members:
        target = _patch_target(path, store_a, db, settings)
        before = _counts(db)
        response = client.patch(target, json={name: None}, headers=owner)
        if name == "section":  # the one member that may be emptied
            assert response.status_code == 200, (path, name, response.text)
            continue
        body = _is_problem(response, 422)
        assert body["errors"][0]["field"] == name, (path, name, body)
        assert _counts(db) == before


def test_a_null_module_id_is_a_422_not_a_missing_module(
    client: TestClient, owner: dict[str, str], store_a: StoreWorld
) -> None:
    body = _is_problem(
        client.patch(f"/v1/lessons/{store_a.paid_lesson_id}", json={"module_id": None}, headers=owner), 422
    )
    assert "None" not in body["detail"]


@pytest.mark.parametrize("title", ["Bad\x00title", "Tab\there", "Bell\x07", "Line\nbreak"])
def test_control_characters_in_a_title_are_refused(client: TestClient, owner: dict[str, str], title: str) -> None:
    body = _is_problem(client.post("/v1/courses", json={"slug": "ctl", "title": title}, headers=owner), 422)
    assert body["errors"][0]["field"] == "title"


def test_a_nul_anywhere_in_a_body_is_refused(client: TestClient, owner: dict[str, str], store_a: StoreWorld) -> None:
    response = client.patch(f"/v1/lessons/{store_a.paid_lesson_id}", json={"body_md": "a\x00b"}, headers=owner)
    assert _is_problem(response, 422)["errors"][0]["field"] == "body_md"


def test_a_nul_in_the_address_is_a_400(client: TestClient, owner: dict[str, str]) -> None:
    assert _is_problem(client.get("/v1/courses/by-slug/a%00b", headers=owner), 400)
    assert _is_problem(client.get("/v1/courses?cursor=%00", headers=owner), 400)


def test_newlines_stay_allowed_in_bodies(client: TestClient, owner: dict[str, str], store_a: StoreWorld) -> None:
    response = client.patch(f"/v1/lessons/{store_a.paid_lesson_id}", json={"body_md": "# A\n\n\tb"}, headers=owner)
    assert response.status_code == 200
