"""Login resists guessing: per-account and per-address limits with 429 and Retry-After, the same
work for unknown emails, and a per-key request limit for API keys."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core import security
from core.db import Database
from core.settings import Settings
from tests.conftest import PASSWORD, StoreWorld, login, make_key


@pytest.fixture
def strict(settings: Settings, db: Database) -> Iterator[TestClient]:
    tight = settings.model_copy(
        update={
            "login_limit_per_account": "3/minute",
            "login_limit_per_account_total": "5/minute",
            "login_limit_per_address": "8/minute",
            "signup_limit_per_address": "2/minute",
            "api_key_rate_limit": "3/minute",
        }
    )
    with TestClient(create_app(tight, db=db, run_jobs=False)) as test_client:
        yield test_client


def _login(client: TestClient, email: str, password: str) -> int:
    return client.post("/v1/auth/login", json={"email": email, "password": password}).status_code


def test_failed_logins_lock_the_account_even_for_the_right_password(strict: TestClient, store_a: StoreWorld) -> None:
    assert [_login(strict, store_a.owner_email, "wrong-guess") for _ in range(3)] == [401, 401, 401]
    locked = strict.post("/v1/auth/login", json={"email": store_a.owner_email, "password": PASSWORD})
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["retry-after"]) <= 60
    assert locked.headers["content-type"] == "application/problem+json"


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(strict: TestClient, store_a: StoreWorld) -> None:
    for _ in range(4):
        _login(strict, store_a.owner_email, "wrong-guess")
    elsewhere = TestClient(strict.app, client=("203.0.113.7", 40000))
    assert _login(elsewhere, store_a.owner_email, PASSWORD) == 200


def test_guessing_spread_over_addresses_meets_the_account_wide_window(strict: TestClient, store_a: StoreWorld) -> None:
    addresses = [TestClient(strict.app, client=(f"203.0.113.{i}", 40000)) for i in range(6)]
    codes = [_login(c, store_a.owner_email, "wrong-guess") for c in addresses]
    assert codes == [401] * 5 + [429]


def test_successful_logins_do_not_count_against_the_account(strict: TestClient, store_a: StoreWorld) -> None:
    assert [_login(strict, store_a.owner_email, PASSWORD) for _ in range(5)] == [200] * 5


def test_one_address_cannot_spray_many_accounts(strict: TestClient) -> None:
    codes = [_login(strict, f"user{i}@example.com", "guess-guess") for i in range(9)]
    assert codes == [401] * 8 + [429]


def test_signups_are_limited_per_address(strict: TestClient) -> None:
    codes = [
        strict.post("/v1/auth/signup", json={"email": f"n{i}@example.com", "password": PASSWORD}).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]


def test_an_unknown_email_costs_the_same_password_check(
    client: TestClient, store_a: StoreWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str] = []
    real = security._hasher

    class Counting:
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, hashed: str, password: str) -> bool:
            checks.append(hashed)
            return real.verify(hashed, password)

    monkeypatch.setattr(security, "_hasher", Counting())
    assert _login(client, "ghost@example.com", "whatever-1") == 401
    assert _login(client, store_a.owner_email, "whatever-1") == 401
    assert len(checks) == 2 and all(h.startswith("$argon2id$") for h in checks)


def test_api_keys_have_a_request_rate_limit(strict: TestClient, db: Database, store_a: StoreWorld) -> None:
    key = make_key(db, store_a)
    codes = [strict.get("/v1/courses", headers=key).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_limits_are_per_app_not_per_test_process(client: TestClient, store_a: StoreWorld) -> None:
    assert client.get("/v1/me", headers=login(client, store_a.owner_email)).status_code == 200
