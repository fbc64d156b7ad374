"""The public catalogue is cheap to serve repeatedly: cached, validated with an ETag, one read per burst."""

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import Database
from core.settings import Settings
from courses import catalog
from tests.conftest import StoreWorld


@pytest.fixture
def uncached(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"catalog_cache_seconds": 0}), db=db, run_jobs=False)) as c:
        yield c


def test_the_catalogue_lists_published_courses_with_validators(client: TestClient, store_a: StoreWorld) -> None:
    response = client.get("/v1/stores/alpha/catalog")
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["courses"]] == ["main"]
    assert response.headers["etag"].startswith('"') and "max-age" in response.headers["cache-control"]


def test_a_current_etag_gets_a_bodiless_304(client: TestClient, store_a: StoreWorld) -> None:
    etag = client.get("/v1/stores/alpha/catalog").headers["etag"]
    again = client.get("/v1/stores/alpha/catalog", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_an_unknown_store_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/v1/stores/nope/catalog")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


def test_repeated_requests_read_the_database_once(
    client: TestClient, store_a: StoreWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real = catalog.public_catalog

    def counting(session, slug):
        reads.append(slug)
        return real(session, slug)

    monkeypatch.setattr(catalog, "public_catalog", counting)
    codes: list[int] = []
    threads = [
        threading.Thread(target=lambda: codes.append(client.get("/v1/stores/alpha/catalog").status_code))
        for _ in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 20 and reads == ["alpha"]


def test_a_change_shows_once_the_cache_expires(uncached: TestClient, db: Database, store_a: StoreWorld) -> None:
    before = uncached.get("/v1/stores/alpha/catalog").headers["etag"]
    with db.transaction() as s:
        catalog.update_course(s, store_a.owner, store_a.course_id, {"title": "Renamed"})
    after = uncached.get("/v1/stores/alpha/catalog")
    assert after.headers["etag"] != before and after.json()["courses"][0]["title"] == "Renamed"
