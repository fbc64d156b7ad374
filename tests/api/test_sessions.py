"""Sessions end when they should: logout revokes that session, a password change revokes all."""

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, StoreWorld, login


def test_logout_revokes_that_session_only(client: TestClient, store_a: StoreWorld) -> None:
    first = login(client, store_a.owner_email)
    second = login(client, store_a.owner_email)
    assert client.post("/v1/auth/logout", headers=first).status_code == 204
    gone = client.get("/v1/me", headers=first)
    assert gone.status_code == 401 and "ended" in gone.json()["detail"]
    assert client.get("/v1/me", headers=second).status_code == 200


def test_logout_without_a_session_still_clears_the_cookie(client: TestClient) -> None:
    response = client.post("/v1/auth/logout", headers={"Authorization": "Bearer not.valid"})
    assert response.status_code == 204
    assert "academy_session" in response.headers["set-cookie"]


def test_password_change_revokes_every_session(client: TestClient, store_a: StoreWorld) -> None:
    phone = login(client, store_a.owner_email)
    laptop = login(client, store_a.owner_email)
    changed = client.post(
        "/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a-new-password-9"},
        headers=laptop,
    )
    assert changed.status_code == 200, changed.text
    assert client.get("/v1/me", headers=phone).status_code == 401
    assert client.get("/v1/me", headers=laptop).status_code == 401
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert client.get("/v1/me", headers=fresh).status_code == 200
    assert login(client, store_a.owner_email, password="a-new-password-9")


def test_password_change_needs_the_current_password(client: TestClient, store_a: StoreWorld) -> None:
    headers = login(client, store_a.owner_email)
    response = client.post(
        "/v1/auth/password", json={"current_password": "not-it", "new_password": "whatever-new-1"}, headers=headers
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "current_password"
    assert client.get("/v1/me", headers=headers).status_code == 200


def test_a_stream_token_dies_with_its_session(client: TestClient, store_a: StoreWorld) -> None:
    from core.security import sign_token, verify_token
    from tests.conftest import TEST_SECRET

    headers = login(client, store_a.owner_email)
    claims = verify_token(TEST_SECRET, headers["Authorization"].split()[1], "session")
    stream = sign_token(
        TEST_SECRET, {"sub": claims["sub"], "sto": claims["sto"], "sid": claims["sid"], "run": "run_x"}, 60, "stream"
    )
    client.post("/v1/auth/logout", headers=headers)
    response = client.get(f"/v1/runs/run_x/events?token={stream}")
    assert response.status_code == 401


def test_an_api_key_cannot_mint_a_stream_token(client: TestClient, db, store_a: StoreWorld) -> None:
    from tests.conftest import make_key

    # A stream token names a person's session; minted from a key it would act as the key's creator.
    response = client.post("/v1/runs/run_any/stream-token", headers=make_key(db, store_a))
    assert response.status_code == 403
