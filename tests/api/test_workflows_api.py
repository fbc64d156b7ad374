"""Segments and workflows over HTTP: a previewed segment, a sequence drawn, activated and followed
run by run; a broken graph is a 422 naming the node; another store's workflow is a 404."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from core.db import Database, utcnow
from core.settings import Settings
from mail.workflows import engine
from tests.conftest import StoreWorld, login


def fans(client: TestClient, owner: dict[str, str]) -> None:
    for email, tags in (("vip@example.com", ["vip"]), ("fan@example.com", [])):
        made = client.post("/v1/contacts", json={"email": email, "subscribed": True, "tags": tags}, headers=owner)
        assert made.status_code == 200, made.text


def test_a_segment_is_previewed_saved_and_counted(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    fans(client, owner)
    rule = {"rule": "tag", "tag": "vip"}
    seen = client.post("/v1/mail/segments/preview", json={"rule": rule}, headers=owner).json()
    assert (seen["count"], seen["subscribed"], seen["sample"][0]["email"]) == (1, 1, "vip@example.com")
    made = client.post("/v1/mail/segments", json={"name": "VIPs", "rule": rule}, headers=owner)
    assert made.status_code == 201, made.text
    detail = client.get(f"/v1/mail/segments/{made.json()['id']}", headers=owner).json()
    assert detail["preview"]["count"] == 1 and detail["rule"] == rule
    assert client.delete(f"/v1/mail/segments/{made.json()['id']}", headers=owner).status_code == 204


def test_a_rule_on_an_unknown_field_is_a_422_naming_it(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    rule = {"rule": "all", "rules": [{"rule": "field", "name": "plan", "value": "pro"}]}
    answer = client.post("/v1/mail/segments", json={"name": "Pros", "rule": rule}, headers=owner)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "rule.rules.0.name" and "unknown field 'plan'" in answer.text


def test_a_sequence_is_drawn_activated_and_followed(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    template = client.post("/v1/mail/templates", json={"name": "W", "subject": "Welcome", "body": "<p>Hi</p>"},
                           headers=owner).json()  # fmt: skip
    body = {"name": "Welcome drip", "trigger": {"type": "tag_added", "tag": "vip"},
            "emails": [{"template_id": template["id"]}, {"template_id": template["id"], "wait_seconds": 86400}]}  # fmt: skip
    made = client.post("/v1/mail/sequences", json=body, headers=owner)
    assert made.status_code == 201 and made.json()["status"] == "draft", made.text
    workflow_id = made.json()["id"]
    assert client.post(f"/v1/mail/workflows/{workflow_id}/activate", headers=owner).json()["version"] == 1
    fans(client, owner)
    engine.advance(db, settings, utcnow() + timedelta(seconds=1))
    detail = client.get(f"/v1/mail/workflows/{workflow_id}", headers=owner).json()
    assert detail["runs"] == {"active": 1} and detail["at_node"] == {"email-2": 1}
    (run,) = client.get(f"/v1/mail/workflows/{workflow_id}/runs", headers=owner).json()["data"]
    steps = client.get(f"/v1/mail/workflows/{workflow_id}/runs/{run['id']}", headers=owner).json()["steps"]
    assert [s["outcome"] for s in steps] == ["sent 'W'", "waits 86400 s"]


def test_a_broken_graph_is_a_422_naming_the_node(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    graph = {"trigger": {"type": "contact_added"}, "start": "a",
             "nodes": {"a": {"type": "delay", "seconds": 60, "next": "b"}, "b": {"type": "exit"}, "c": {"type": "exit"}}}  # fmt: skip
    answer = client.post("/v1/mail/workflows", json={"name": "Broken", "graph": graph}, headers=owner)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "graph.nodes.c"


def test_another_stores_workflow_is_not_found(client: TestClient, store_a: StoreWorld, store_b: StoreWorld) -> None:
    theirs = login(client, store_b.owner_email, store_b.slug)
    graph = {"trigger": {"type": "contact_added"}, "start": "end", "nodes": {"end": {"type": "exit"}}}
    made = client.post("/v1/mail/workflows", json={"name": "Theirs", "graph": graph}, headers=theirs).json()
    mine = login(client, store_a.owner_email, store_a.slug)
    assert client.get(f"/v1/mail/workflows/{made['id']}", headers=mine).status_code == 404
    assert client.post(f"/v1/mail/workflows/{made['id']}/activate", headers=mine).status_code == 404
