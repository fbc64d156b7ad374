"""A digital product's file: the creator uploads it, a buyer downloads it while they hold it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from commerce import catalog
from commerce.downloads import safe_filename
from core.db import Database
from core.errors import ValidationFailed
from core.settings import Settings
from tests.commerce.factories import Shop, shop
from tests.conftest import login

KIT = b"PK\x03\x04 not really a zip, but bytes all the same"


def digital_shop(db: Database, settings: Settings) -> Shop:
    """A store selling a drum kit (a digital product) for 9.00 USD."""
    s = shop(db, settings)
    with db.transaction() as session:
        kit = catalog.create_product(session, s.world.owner, "digital", "Drum kit")
        price = catalog.create_price(session, s.world.owner, kit.id, "usd", 900)
        catalog.update_product(session, s.world.owner, kit.id, status="active")
        s.product_id, s.price_id = kit.id, price.id
    return s


def upload(client: TestClient, s: Shop, name: str = "drum kit.zip", data: bytes = KIT) -> dict:
    owner = login(client, s.world.owner_email, s.world.slug)
    files = {"file": (name, data, "application/zip")}
    answer = client.post(f"/v1/products/{s.product_id}/file", files=files, headers=owner)
    return {**answer.json(), "http": answer.status_code}


def buy(client: TestClient, s: Shop, auth: dict[str, str]) -> None:
    made = client.post("/v1/checkout", json={"product_id": s.product_id, "price_id": s.price_id}, headers=auth)
    session_id = made.json()["url"].rsplit("/", 1)[1]
    paid = client.post(f"/checkout/{session_id}/pay", data={"card": "4242 4242 4242 4242"}, follow_redirects=False)
    client.get(paid.headers["location"], follow_redirects=False)


def test_a_buyer_downloads_the_file_the_creator_uploaded(client: TestClient, db: Database, settings: Settings) -> None:
    s = digital_shop(db, settings)
    uploaded = upload(client, s)
    assert uploaded["http"] == 200 and uploaded["details"]["file"]["name"] == "drum-kit.zip"
    auth = login(client, s.world.learner_email, s.world.slug)
    refused = client.get(f"/v1/products/{s.product_id}/download", headers=auth)
    assert refused.status_code == 403 and "buy it" in refused.json()["detail"]
    buy(client, s, auth)
    got = client.get(f"/v1/products/{s.product_id}/download", headers=auth)
    assert got.status_code == 200 and got.content == KIT
    assert got.headers["content-disposition"] == 'attachment; filename="drum-kit.zip"'
    page = client.get(f"/s/{s.world.slug}", headers=auth).text
    assert f'href="/v1/products/{s.product_id}/download"' in page


def test_a_full_refund_takes_the_download_away(client: TestClient, db: Database, settings: Settings) -> None:
    s = digital_shop(db, settings)
    upload(client, s)
    auth = login(client, s.world.learner_email, s.world.slug)
    buy(client, s, auth)
    [order] = client.get("/v1/orders", headers=auth).json()["data"]
    owner = login(client, s.world.owner_email, s.world.slug)
    assert client.post(f"/v1/orders/{order['id']}/refund", json={}, headers=owner).status_code == 200
    assert client.get(f"/v1/products/{s.product_id}/download", headers=auth).status_code == 403


def test_only_a_digital_product_takes_a_file(client: TestClient, db: Database, settings: Settings) -> None:
    course = upload(client, shop(db, settings))  # a course product
    assert course["http"] == 422 and course["errors"][0]["field"] == "product_id" and "digital" in course["detail"]


def test_an_empty_file_is_refused_naming_the_file(client: TestClient, db: Database, settings: Settings) -> None:
    s = digital_shop(db, settings)
    empty = upload(client, s, data=b"")
    assert empty["http"] == 422 and empty["errors"][0]["field"] == "file"


def test_a_product_with_no_file_yet_is_a_404_for_its_holder(
    client: TestClient, db: Database, settings: Settings
) -> None:
    s = digital_shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    buy(client, s, auth)
    missing = client.get(f"/v1/products/{s.product_id}/download", headers=auth)
    assert missing.status_code == 404 and "no file" in missing.json()["detail"]


@pytest.mark.parametrize(
    ("given", "saved"),
    [("../../etc/passwd", "passwd"), ('kit "final".zip', "kit-final-.zip"), ("C:\\beats\\loop.wav", "loop.wav")],
)
def test_a_files_name_is_kept_to_safe_characters(given: str, saved: str) -> None:
    assert safe_filename(given) == saved


def test_a_name_with_nothing_safe_in_it_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="name the file"):
        safe_filename("../..")
