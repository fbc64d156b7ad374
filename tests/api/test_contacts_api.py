"""Contacts over HTTP: a CSV import answers its per-row report; topics are the store's own."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import StoreWorld, login


def test_an_import_answers_each_bad_row_with_its_line(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    body = {"csv": "email,name\nann@example.com,Ann\nnope,Bad\n", "subscribed": True, "tags": ["2026"]}
    answer = client.post("/v1/contacts/import", json=body, headers=owner)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["rows"], report["imported"], report["errors"][0]["line"]) == (2, 1, 3)
    (ann,) = client.get("/v1/contacts", headers=owner).json()["data"]
    assert ann["tags"] == ["2026"] and ann["status"] == "subscribed"


def test_a_topic_key_is_checked_and_unique(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    assert client.post("/v1/mail/topics", json={"key": "News!", "name": "News"}, headers=owner).status_code == 422
    assert client.post("/v1/mail/topics", json={"key": "news", "name": "News"}, headers=owner).status_code == 201
    assert client.post("/v1/mail/topics", json={"key": "news", "name": "Again"}, headers=owner).status_code == 409
    assert client.get("/v1/mail/topics", headers=owner).json() == [{"key": "news", "name": "News"}]
    assert client.delete("/v1/mail/topics/news", headers=owner).status_code == 204


def test_a_contact_is_read_changed_and_forgotten(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email, store_a.slug)
    made = client.post("/v1/contacts", json={"email": "ann@example.com", "tags": ["a", "b"]}, headers=owner).json()
    changed = client.patch(f"/v1/contacts/{made['id']}", json={"name": "Ann", "tags": ["b", "c"]}, headers=owner)
    assert changed.status_code == 200 and (changed.json()["name"], changed.json()["tags"]) == ("Ann", ["b", "c"])
    assert client.patch(f"/v1/contacts/{made['id']}", json={"status": "subscribed"}, headers=owner).status_code == 422
    assert client.get(f"/v1/contacts/{made['id']}", headers=owner).json()["email"] == "ann@example.com"
    assert client.delete(f"/v1/contacts/{made['id']}", headers=owner).status_code == 204
    assert client.get(f"/v1/contacts/{made['id']}", headers=owner).status_code == 404


def test_another_stores_contact_is_not_found(client: TestClient, store_a: StoreWorld, store_b: StoreWorld) -> None:
    theirs = login(client, store_b.owner_email, store_b.slug)
    made = client.post("/v1/contacts", json={"email": "ann@example.com"}, headers=theirs).json()
    mine = login(client, store_a.owner_email, store_a.slug)
    assert client.patch(f"/v1/contacts/{made['id']}", json={"name": "X"}, headers=mine).status_code == 404
    assert client.delete(f"/v1/contacts/{made['id']}", headers=mine).status_code == 404
