"""The local payment provider's pages: onboarding only through the single-use link the owner was
given, and a checkout that sends the learner back only to this site or the store's own domains."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from commerce.models import PaymentAccount
from commerce.providers import local as local_provider
from core.db import Database
from core.settings import Settings
from tests.commerce.factories import shop
from tests.conftest import StoreWorld, login


def onboarding_path(client: TestClient, world: StoreWorld, settings: Settings) -> str:
    owner = login(client, world.owner_email, world.slug)
    made = client.post("/v1/payments/account", headers=owner)
    assert made.status_code == 200, made.text
    return str(made.json()["onboarding_url"]).removeprefix(settings.public_base_url)


def enabled(client: TestClient, world: StoreWorld) -> bool:
    """What the provider says, as the owner's workspace asks (`GET /v1/payments/account` refreshes)."""
    account = client.get("/v1/payments/account", headers=login(client, world.owner_email, world.slug)).json()
    return bool(account["charges_enabled"])


def test_an_account_id_does_not_open_its_onboarding(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    onboarding_path(client, store_a, settings)
    with db.transaction() as s:
        account_id = s.scalars(select(PaymentAccount.account_id)).one()
    assert client.get(f"/connect/{account_id}").status_code == 404
    assert client.post(f"/connect/{account_id}").status_code == 404 and not enabled(client, store_a)


def test_the_onboarding_link_works_once_and_then_sends_to_its_refresh_address(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    path = onboarding_path(client, store_a, settings)
    assert path.startswith("/connect/acctlink_") and client.get(path).status_code == 200
    done = client.post(path, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{settings.public_base_url}/v1/payments/account"
    assert enabled(client, store_a)
    again = client.get(path, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].endswith("/v1/payments/account")


def test_an_expired_onboarding_link_finishes_nothing(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_provider, "LINK_SECONDS", -1)
    path = onboarding_path(client, store_a, settings)
    assert client.post(path, follow_redirects=False).status_code == 303 and not enabled(client, store_a)


def test_a_checkout_returning_to_another_site_is_a_422(client: TestClient, db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    auth = login(client, s.world.learner_email, s.world.slug)
    for field, url in (("success_url", "//evil.example"), ("cancel_url", "https://evil.example/")):
        body = {"product_id": s.product_id, "price_id": s.price_id, field: url}
        refused = client.post("/v1/checkout", json=body, headers=auth)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field


def test_a_checkout_may_return_to_the_stores_own_domain(client: TestClient, db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    owner = login(client, s.world.owner_email, s.world.slug)
    assert client.patch("/v1/store", json={"site_domains": ["Shop.Example.com"]}, headers=owner).json()[
        "site_domains"
    ] == ["shop.example.com"]
    auth = login(client, s.world.learner_email, s.world.slug)
    body = {"product_id": s.product_id, "price_id": s.price_id, "success_url": "https://shop.example.com/thanks"}
    made = client.post("/v1/checkout", json=body, headers=auth)
    assert made.status_code == 201, made.text
