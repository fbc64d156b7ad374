"""`GET /v1/artifacts…`: the course's access rules over HTTP, the file with its type and ETag."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import Database
from core.settings import Settings
from core.storage.factory import make_storage_provider
from courses import artifacts
from tests.conftest import StoreWorld, build_store, login

PDF_BYTES = b"%PDF-1.7\n% a cheat sheet\n"


def make_sheet(db: Database, settings: Settings, world: StoreWorld, data: bytes = PDF_BYTES) -> str:
    with db.transaction() as s:
        sheet = artifacts.save_artifact(
            s,
            world.owner,
            make_storage_provider(settings),
            course_id=world.course_id,
            kind="cheat_sheet",
            title="Alpha: cheat sheet",
            data=data,
            content_type="application/pdf",
        )
        return sheet.id


def test_enrolled_learner_downloads_the_pdf(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    sheet = make_sheet(db, settings, store_a)
    response = client.get(f"/v1/artifacts/{sheet}/file", headers=login(client, store_a.learner_email))
    assert response.status_code == 200 and response.content == PDF_BYTES
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="alpha-cheat-sheet-v1.pdf"'


def test_unchanged_file_answers_304(client: TestClient, db: Database, settings: Settings, store_a: StoreWorld) -> None:
    sheet = make_sheet(db, settings, store_a)
    h = login(client, store_a.owner_email)
    etag = client.get(f"/v1/artifacts/{sheet}/file", headers=h).headers["etag"]
    again = client.get(f"/v1/artifacts/{sheet}/file", headers=h | {"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_list_describes_each_version_with_its_url(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    first = make_sheet(db, settings, store_a)
    second = make_sheet(db, settings, store_a, PDF_BYTES + b"v2")
    h = login(client, store_a.owner_email)
    listed = client.get("/v1/artifacts", params={"course_id": store_a.course_id}, headers=h).json()["data"]
    assert [(a["id"], a["version"]) for a in listed] == [(second, 2), (first, 1)]
    assert listed[0]["url"] == f"/v1/artifacts/{second}/file"
    learner = client.get("/v1/artifacts", headers=login(client, store_a.learner_email)).json()["data"]
    assert [a["id"] for a in learner] == [second]


def test_learner_without_the_course_gets_404(client: TestClient, db: Database, settings: Settings) -> None:
    world = build_store(db, "gamma", enroll_learner=False)
    sheet = make_sheet(db, settings, world)
    h = login(client, world.learner_email)
    assert client.get(f"/v1/artifacts/{sheet}", headers=h).status_code == 404
    assert client.get(f"/v1/artifacts/{sheet}/file", headers=h).status_code == 404


def test_another_store_gets_404(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    sheet = make_sheet(db, settings, store_a)
    response = client.get(f"/v1/artifacts/{sheet}/file", headers=login(client, store_b.owner_email))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_kind_is_a_422_naming_it(client: TestClient, store_a: StoreWorld) -> None:
    response = client.get("/v1/artifacts", params={"kind": "poster"}, headers=login(client, store_a.owner_email))
    assert response.status_code == 422 and "kind" in response.text


def test_a_file_missing_from_the_store_is_a_clear_404(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    sheet = make_sheet(db, settings, store_a)
    for path in (settings.data_dir / "objects").rglob("*.pdf"):
        path.unlink()
    response = client.get(f"/v1/artifacts/{sheet}/file", headers=login(client, store_a.owner_email))
    assert response.status_code == 404 and "missing" in response.json()["detail"]
