"""Outside agents over MCP: the SDK's own client over streamable HTTP against the served app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from core import identity
from core.db import Database
from core.settings import Settings
from tests.api.test_runs_api import Api, make_api
from tests.conftest import build_store, login, make_key


@pytest.fixture
def mcp_api(settings: Settings, db: Database, world: Any, tmp_path: Path) -> Iterator[Api]:
    store, runtime = world
    yield from make_api(settings, db, runtime, tmp_path, store)


def connect(api: Api, headers: dict[str, str]) -> Client:
    transport = streamable_http_client(
        f"{api.live.url}/mcp", http_client=httpx2.AsyncClient(headers=headers, timeout=30)
    )
    return Client(transport)


async def _tools(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    async with connect(api, headers) as client:
        return {t.name: t for t in (await client.list_tools()).tools}


async def _call(api: Api, headers: dict[str, str], name: str, arguments: dict[str, Any]) -> Any:
    async with connect(api, headers) as client:
        return await client.call_tool(name, arguments)


def test_tools_list_follows_the_keys_scopes(mcp_api: Api, db: Database) -> None:
    reader = anyio.run(_tools, mcp_api, make_key(db, mcp_api.store, ["courses:read"]))
    writer = anyio.run(_tools, mcp_api, make_key(db, mcp_api.store))
    assert "get_course_outline" in reader and "create_course" not in reader
    assert {"create_course", "publish_course", "course_stats"} <= set(writer)


def test_annotations_and_schemas_come_from_the_tool(mcp_api: Api, db: Database) -> None:
    tools = anyio.run(_tools, mcp_api, make_key(db, mcp_api.store))
    outline, publish, create = tools["get_course_outline"], tools["publish_course"], tools["create_course"]
    assert outline.annotations.read_only_hint is True and outline.annotations.idempotent_hint is True
    assert publish.annotations.destructive_hint is True and publish.annotations.read_only_hint is False
    assert create.annotations.destructive_hint is False
    assert outline.output_schema["title"] == "OutlineOut" and "course_id" in outline.input_schema["properties"]
    assert "approval" in (publish.description or "")


def test_a_call_answers_structured_output(mcp_api: Api, db: Database) -> None:
    result = anyio.run(
        _call, mcp_api, make_key(db, mcp_api.store), "get_course_outline", {"course_id": mcp_api.store.course_id}
    )
    assert not result.is_error
    assert result.structured_content["course_id"] == mcp_api.store.course_id
    assert json.loads(result.content[0].text)["title"] == result.structured_content["title"]


def test_preview_and_a_pending_publish(mcp_api: Api, db: Database) -> None:
    key = make_key(db, mcp_api.store)
    preview = anyio.run(
        _call, mcp_api, key, "create_module", {"course_id": mcp_api.store.course_id, "title": "Later", "preview": True}
    )
    assert preview.structured_content["preview"] is True
    held = anyio.run(_call, mcp_api, key, "publish_course", {"course_id": mcp_api.store.course_id, "published": False})
    assert held.structured_content["status"] == "pending"
    owner = login(mcp_api.client, mcp_api.store.owner_email, mcp_api.store.slug)
    log = mcp_api.client.get("/v1/actions", headers=owner).json()["data"]
    assert [(a["tool"], a["status"], a["channel"]) for a in log] == [
        ("publish_course", "pending", "mcp"),
        ("create_module", "previewed", "mcp"),
    ]
    outline = mcp_api.client.get(f"/v1/courses/{mcp_api.store.course_id}/outline", headers=owner).json()
    assert all(m["title"] != "Later" for m in outline["modules"])


@pytest.mark.parametrize(
    ("name", "arguments", "needle"),
    [
        ("drop_database", {}, "no tool named"),
        ("get_course_outline", {"course": "x"}, "invalid arguments"),
        ("mark_lesson_complete", {"lesson_id": "les_x"}, "needs one of the scopes"),
    ],
)
def test_bad_calls_are_error_results(
    mcp_api: Api, db: Database, name: str, arguments: dict[str, Any], needle: str
) -> None:
    result = anyio.run(_call, mcp_api, make_key(db, mcp_api.store), name, arguments)
    assert result.is_error and needle in result.content[0].text


def test_a_key_of_store_b_sees_and_touches_nothing_of_store_a(mcp_api: Api, db: Database) -> None:
    other = make_key(db, build_store(db, "bravo"))
    outline = anyio.run(_call, mcp_api, other, "get_course_outline", {"course_id": mcp_api.store.course_id})
    rename = anyio.run(_call, mcp_api, other, "update_course", {"course_id": mcp_api.store.course_id, "title": "Mine"})
    assert outline.is_error and "404" in outline.content[0].text
    assert rename.is_error and "404" in rename.content[0].text

    async def resources() -> list[str]:
        async with connect(mcp_api, other) as client:
            return [str(r.uri) for r in (await client.list_resources()).resources]

    assert all(mcp_api.store.course_id not in uri for uri in anyio.run(resources))


def test_course_outlines_and_lessons_are_resources(mcp_api: Api, db: Database) -> None:
    key = make_key(db, mcp_api.store)

    async def read() -> tuple[list[str], str, str]:
        async with connect(mcp_api, key) as client:
            listed = [str(r.uri) for r in (await client.list_resources()).resources]
            outline = await client.read_resource(f"academy://courses/{mcp_api.store.course_id}/outline")
            lesson = await client.read_resource(f"academy://lessons/{mcp_api.store.paid_lesson_id}")
            return listed, outline.contents[0].text, lesson.contents[0].text

    listed, outline, lesson = anyio.run(read)
    assert f"academy://courses/{mcp_api.store.course_id}/outline" in listed
    assert json.loads(outline)["course_id"] == mcp_api.store.course_id
    assert lesson.startswith("# Paid") and "secret recipe" in lesson


@pytest.mark.parametrize("kind", ["missing", "revoked", "session-token"])
def test_a_bad_credential_is_refused_before_mcp(mcp_api: Api, db: Database, kind: str) -> None:
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    if kind == "revoked":
        key = make_key(db, mcp_api.store)
        with db.transaction() as s:
            for row in identity.list_api_keys(s, mcp_api.store.owner):
                identity.revoke_api_key(s, mcp_api.store.owner, row.id)
        headers.update(key)
    elif kind == "session-token":
        headers.update(mcp_api.learner)  # a session, not a store API key
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    response = httpx.post(f"{mcp_api.live.url}/mcp", json=body, headers=headers, timeout=10)
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/problem+json") and response.json()["detail"]


def test_a_key_over_its_rate_gets_429(settings: Settings, db: Database, world: Any, tmp_path: Path) -> None:
    store, runtime = world
    limited = settings.model_copy(update={"api_key_rate_limit": "2/minute"})
    for api in make_api(limited, db, runtime, tmp_path, store):
        headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
        headers.update(make_key(db, store))
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        statuses = [httpx.post(f"{api.live.url}/mcp", json=body, headers=headers, timeout=10) for _ in range(3)]
        assert statuses[2].status_code == 429 and int(statuses[2].headers["retry-after"]) >= 1
        assert statuses[2].json()["title"] == "Too many requests"


def test_a_get_for_an_event_stream_is_a_405_not_a_stream_of_pings(mcp_api: Api, db: Database) -> None:
    headers = {"accept": "text/event-stream"} | make_key(db, mcp_api.store)
    response = httpx.get(f"{mcp_api.live.url}/mcp", headers=headers, timeout=10)  # it was held open: a timeout
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert "stateless" in response.json()["detail"]
