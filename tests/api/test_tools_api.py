"""The tools over HTTP: the list follows the credential, calls get the registry's checks and log,
and a key's consequential call waits for the owner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.db import Database
from core.settings import Settings
from tests.api.test_runs_api import Api, make_api
from tests.conftest import login, make_key


@pytest.fixture
def tools_api(settings: Settings, db: Database, world: Any, tmp_path: Path) -> Iterator[Api]:
    store, runtime = world
    yield from make_api(settings, db, runtime, tmp_path, store)


def names(api: Api, headers: dict[str, str]) -> set[str]:
    response = api.client.get("/v1/tools", headers=headers)
    assert response.status_code == 200, response.text
    return {t["name"] for t in response.json()}


def test_the_list_follows_the_credential(tools_api: Api, db: Database) -> None:
    key = make_key(db, tools_api.store, ["courses:read"])
    learner = names(tools_api, tools_api.learner)
    reader = names(tools_api, key)
    assert "mark_lesson_complete" in learner and "create_course" not in learner
    assert "get_course_outline" in reader and "create_course" not in reader and "mark_lesson_complete" not in reader


def test_a_listed_tool_carries_its_schemas_and_approval(tools_api: Api, db: Database) -> None:
    tools = {t["name"]: t for t in tools_api.client.get("/v1/tools", headers=make_key(db, tools_api.store)).json()}
    publish = tools["publish_course"]
    assert publish["side_effect"] == "publish" and publish["needs_approval"] is True
    assert "course_id" in publish["input_schema"]["properties"] and "preview" in publish["input_schema"]["properties"]
    assert publish["output_schema"]["title"] == "CourseOut result"  # its output, a preview or a pending action


def test_a_learner_calls_a_tool(tools_api: Api) -> None:
    response = tools_api.client.post(
        "/v1/tools/get_my_progress", json={"course_id": tools_api.store.course_id}, headers=tools_api.learner
    )
    assert response.status_code == 200 and response.json()["total"] == 3


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        ("drop_database", {}, 404),
        ("get_my_progress", {"course": "x"}, 422),
        ("create_course", {"title": "x", "slug": "x"}, 403),
        ("get_course_outline", {"course_id": "crs_doesnotexist"}, 404),
    ],
)
def test_bad_calls_are_named_problems(tools_api: Api, name: str, body: dict[str, Any], status: int) -> None:
    response = tools_api.client.post(f"/v1/tools/{name}", json=body, headers=tools_api.learner)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json") and response.json()["detail"]


def test_a_keys_publish_is_pending_until_the_owner_approves(tools_api: Api, db: Database) -> None:
    key = make_key(db, tools_api.store)
    owner = login(tools_api.client, tools_api.store.owner_email, tools_api.store.slug)
    held = tools_api.client.post(
        "/v1/tools/publish_course", json={"course_id": tools_api.store.course_id, "published": False}, headers=key
    )
    assert held.status_code == 202 and held.json()["status"] == "pending"
    action_id = held.json()["action_id"]
    assert tools_api.client.post(f"/v1/actions/{action_id}/approve", headers=key).status_code == 403
    pending = tools_api.client.get("/v1/actions", params={"status": "pending"}, headers=owner).json()["data"]
    assert [a["id"] for a in pending] == [action_id]
    course = f"/v1/courses/{tools_api.store.course_id}"
    assert tools_api.client.get(course, headers=owner).json()["status"] == "published"  # not yet acted
    decided = tools_api.client.post(f"/v1/actions/{action_id}/approve", headers=owner)
    assert decided.status_code == 200 and decided.json()["status"] == "done"
    assert tools_api.client.get(course, headers=owner).json()["status"] == "draft"
    again = tools_api.client.post(f"/v1/actions/{action_id}/reject", headers=owner)
    assert again.status_code == 409


def test_the_log_is_for_the_stores_creators(tools_api: Api, db: Database) -> None:
    owner = login(tools_api.client, tools_api.store.owner_email, tools_api.store.slug)
    made = tools_api.client.post(
        "/v1/tools/create_module", json={"course_id": tools_api.store.course_id, "title": "New"}, headers=owner
    )
    assert made.status_code == 200
    log = tools_api.client.get("/v1/actions", headers=owner).json()["data"]
    assert log[0]["tool"] == "create_module" and log[0]["status"] == "done" and log[0]["channel"] == "http"
    assert tools_api.client.get("/v1/actions", headers=tools_api.learner).status_code == 403


def test_preview_over_http_changes_nothing(tools_api: Api) -> None:
    owner = login(tools_api.client, tools_api.store.owner_email, tools_api.store.slug)
    body = {"course_id": tools_api.store.course_id, "title": "Renamed", "preview": True}
    preview = tools_api.client.post("/v1/tools/update_course", json=body, headers=owner)
    assert preview.status_code == 200 and preview.json()["changes"]["title"] == "Renamed"
    course = tools_api.client.get(f"/v1/courses/{tools_api.store.course_id}", headers=owner).json()
    assert course["title"] != "Renamed"
