"""One approval gate on every door: every tool and every REST route whose effect is `send | money |
publish` is found by enumeration (a new one is covered without editing this file), and a key
without the class's `unattended:` scope never acts through any of them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import Database
from core.errors import NotFound
from core.principal import ApprovalRequired, Principal
from core.settings import Settings
from mail import broadcasts
from tests.commerce.factories import Shop
from tests.conftest import login, make_key
from tests.mail.factories import bought, template
from tools.base import NEEDS_APPROVAL, Tool, ToolContext
from tools.models import ToolAction
from tools.registry import build_registry

GATED_TOOLS = [t for t in build_registry().tools.values() if t.side_effect in NEEDS_APPROVAL]


def gated_routes(client: TestClient) -> list[tuple[str, str]]:
    """(path, tool) of every operation the API marks as a gated tool's twin, from its OpenAPI document."""
    paths = client.get("/openapi.json").json()["paths"]
    return [(path, op["x-tool"]) for path, ops in paths.items() for op in ops.values() if "x-tool" in op]


def a_key(db: Database, world: Any) -> Principal:
    from core import identity

    with db.transaction() as s:
        created = identity.create_api_key(s, world.owner, "agent", None)
        return identity.resolve_api_key(s, created.token)


def placeholder(tool: Tool[Any, Any]) -> Any:
    """Arguments naming things that exist nowhere: the gate is decided before any lookup."""
    schema = tool.input_model.model_json_schema()
    values = {name: f"{name.split('_')[0]}_nowhere" for name in schema.get("required", [])}
    return tool.input_model.model_validate(values)


@pytest.mark.parametrize("tool", GATED_TOOLS, ids=lambda t: t.name)
def test_every_gated_tool_refuses_a_waiting_key_at_its_service(
    tool: Tool[Any, Any], db: Database, settings: Settings, store_a: Any
) -> None:
    key = a_key(db, store_a)
    ctx = ToolContext(db=db, principal=key, settings=settings, channel="mcp")
    with pytest.raises(ApprovalRequired) as refused:
        tool.func(ctx, placeholder(tool))
    assert refused.value.status == 403 and f"unattended:{tool.side_effect}" in refused.value.detail
    approved = replace(ctx, principal=replace(key, approved_by=store_a.owner.user_id))
    with pytest.raises(NotFound):  # past the gate, the service looks the (missing) thing up
        tool.func(approved, placeholder(tool))


@dataclass
class Things:
    shop: Shop
    ids: dict[str, str]


@pytest.fixture
def things(db: Database, settings: Settings) -> Things:
    s, order_id = bought(db, settings)
    world = s.world
    from mail.workflows import service

    mail = template(db, settings, world)
    with db.transaction() as session:
        broadcast = broadcasts.create_broadcast(session, world.owner, "News", mail)
        graph = {
            "trigger": {"type": "contact_added"},
            "start": "a",
            "nodes": {"a": {"type": "send_email", "template_id": mail, "next": "end"}, "end": {"type": "exit"}},
        }
        flow = service.create_workflow(session, world.owner, "Welcome", graph)
        ids = {"course_id": world.course_id, "order_id": order_id, "broadcast_id": broadcast.id}
        ids["workflow_id"] = flow.id
    return Things(s, ids)


def test_every_gated_route_holds_a_waiting_keys_call(client: TestClient, db: Database, things: Things) -> None:
    routes = gated_routes(client)
    assert {tool for _, tool in routes} == {t.name for t in GATED_TOOLS}  # each gated tool's REST twin is gated
    key = make_key(db, things.shop.world)
    for path, tool in routes:
        held = client.post(path.format(**things.ids), json={}, headers=key)
        assert held.status_code == 202, (path, held.text)
        body = held.json()
        assert body["status"] == "pending" and body["preview"], path
        with db.transaction() as s:
            action = s.get(ToolAction, body["action_id"])
            assert action is not None and (action.status, action.channel, action.tool) == ("pending", "http", tool)
    with db.transaction() as s:
        assert not s.scalars(select(ToolAction).where(ToolAction.status == "done")).all()  # nothing acted


def test_a_held_refund_acts_once_the_owner_approves(client: TestClient, db: Database, things: Things) -> None:
    world, order = things.shop.world, things.ids["order_id"]
    key = make_key(db, world)
    held = client.post(f"/v1/orders/{order}/refund", json={}, headers=key)
    assert held.status_code == 202 and held.json()["preview"]["would_refund"] == 4999
    owner = login(client, world.owner_email, world.slug)
    assert client.get(f"/v1/orders/{order}", headers=owner).json()["amount_refunded"] == 0
    decided = client.post(f"/v1/actions/{held.json()['action_id']}/approve", headers=owner)
    assert decided.status_code == 200 and decided.json()["status"] == "done", decided.text
    assert client.get(f"/v1/orders/{order}", headers=owner).json()["amount_refunded"] == 4999


def test_a_person_acting_through_a_gated_route_is_in_the_log(client: TestClient, things: Things) -> None:
    world = things.shop.world
    owner = login(client, world.owner_email, world.slug)
    done = client.post(f"/v1/orders/{things.ids['order_id']}/refund", json={"amount": 100}, headers=owner)
    assert done.status_code == 200 and done.json()["amount_refunded"] == 100
    log = client.get("/v1/actions", headers=owner).json()["data"]
    assert [(a["tool"], a["status"], a["channel"]) for a in log] == [("refund_order", "done", "http")]


def test_an_unattended_key_acts_at_once_and_is_in_the_log(client: TestClient, db: Database, things: Things) -> None:
    world = things.shop.world
    key = make_key(db, world, ["courses:write", "courses:read", "unattended:publish"])
    done = client.post(f"/v1/courses/{world.course_id}/unpublish", headers=key)
    assert done.status_code == 200 and done.json()["status"] == "draft"
    owner = login(client, world.owner_email, world.slug)
    log = client.get("/v1/actions", headers=owner).json()["data"]
    assert [(a["tool"], a["status"], a["api_key_id"] is not None) for a in log] == [("publish_course", "done", True)]


def test_a_keys_status_patch_says_how_to_get_approval(client: TestClient, db: Database, things: Things) -> None:
    world = things.shop.world
    refused = client.patch(f"/v1/courses/{world.course_id}", json={"status": "draft"}, headers=make_key(db, world))
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/approval-required"
    assert "unattended:publish" in refused.json()["detail"] and "/publish" in refused.json()["detail"]


def test_a_key_without_the_scope_is_refused_not_held(client: TestClient, db: Database, things: Things) -> None:
    world = things.shop.world
    reader = make_key(db, world, ["orders:read"])
    refused = client.post(f"/v1/orders/{things.ids['order_id']}/refund", json={}, headers=reader)
    assert refused.status_code == 403 and refused.json()["scope"] == "refunds:write"
    with db.transaction() as s:
        assert not s.scalars(select(ToolAction)).all()
