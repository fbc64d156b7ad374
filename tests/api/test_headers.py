"""Security headers on pages and the API; cookies and HSTS follow an https public address."""

from fastapi.testclient import TestClient

from api.app import create_app
from core.db import Database
from core.settings import Settings
from tests.conftest import PASSWORD, StoreWorld


def test_pages_and_the_api_carry_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/v1/stores/none/catalog", "/healthz", "/static/chat.js"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in headers


def test_the_api_docs_get_a_policy_that_lets_them_load(client: TestClient) -> None:
    assert "cdn.jsdelivr.net" in client.get("/docs").headers["content-security-policy"]


def test_refusals_carry_the_headers_too(client: TestClient) -> None:
    response = client.get("/v1/courses?cursor=%00")
    assert response.status_code == 400 and response.headers["x-content-type-options"] == "nosniff"


def test_https_public_address_makes_cookies_secure_and_sends_hsts(
    settings: Settings, db: Database, store_a: StoreWorld
) -> None:
    https = settings.model_copy(update={"public_base_url": "https://academy.example.com"})
    with TestClient(create_app(https, db=db, run_jobs=False), base_url="https://testserver") as client:
        response = client.post("/v1/auth/login", json={"email": store_a.owner_email, "password": PASSWORD})
        assert "secure" in response.headers["set-cookie"].lower()
        assert response.headers["strict-transport-security"].startswith("max-age=")


def test_plain_http_cookies_are_not_secure(client: TestClient, store_a: StoreWorld) -> None:
    response = client.post("/v1/auth/login", json={"email": store_a.owner_email, "password": PASSWORD})
    assert "secure" not in response.headers["set-cookie"].lower()
