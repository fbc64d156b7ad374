from fastapi.testclient import TestClient

from core import identity
from core.db import Database
from tests.conftest import PASSWORD, StoreWorld, login


def test_signup_into_a_store_makes_a_learner(client: TestClient, store_a: StoreWorld) -> None:
    response = client.post(
        "/v1/auth/signup",
        json={"email": "new@example.com", "password": PASSWORD, "name": "New", "store": "alpha"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["role"] == "learner" and body["scopes"] == ["learn"]
    assert body["store"]["slug"] == "alpha"


def test_signup_with_taken_email_is_409(client: TestClient, store_a: StoreWorld) -> None:
    response = client.post("/v1/auth/signup", json={"email": store_a.owner_email, "password": PASSWORD})
    assert response.status_code == 409
    assert response.json()["field"] == "email"


def test_signup_into_unknown_store_is_404_and_creates_no_user(client: TestClient) -> None:
    response = client.post("/v1/auth/signup", json={"email": "x@example.com", "password": PASSWORD, "store": "nope"})
    assert response.status_code == 404
    assert client.post("/v1/auth/login", json={"email": "x@example.com", "password": PASSWORD}).status_code == 401


def test_login_returns_a_token_that_authenticates(client: TestClient, store_a: StoreWorld) -> None:
    headers = login(client, store_a.owner_email)
    me = client.get("/v1/me", headers=headers).json()
    assert me["email"] == store_a.owner_email
    assert me["role"] == "owner"
    assert me["stores"] == [{"id": store_a.store_id, "slug": "alpha", "name": "Store alpha", "role": "owner"}]


def test_login_sets_an_http_only_session_cookie(client: TestClient, store_a: StoreWorld) -> None:
    response = client.post("/v1/auth/login", json={"email": store_a.owner_email, "password": PASSWORD})
    assert "httponly" in response.headers["set-cookie"].lower()
    assert client.get("/v1/me").status_code == 200


def test_wrong_password_is_401(client: TestClient, store_a: StoreWorld) -> None:
    response = client.post("/v1/auth/login", json={"email": store_a.owner_email, "password": "wrong-one"})
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong email or password"
    assert response.headers["www-authenticate"] == "Bearer"


def test_tampered_session_token_is_401(client: TestClient, store_a: StoreWorld) -> None:
    token = login(client, store_a.owner_email)["Authorization"]
    response = client.get("/v1/me", headers={"Authorization": token[:-3] + "abc"})
    assert response.status_code == 401


def test_missing_credentials_is_401(client: TestClient) -> None:
    response = client.get("/v1/courses")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_wrong_auth_scheme_is_401(client: TestClient) -> None:
    response = client.get("/v1/courses", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


def test_switch_to_another_own_store(client: TestClient, store_a: StoreWorld) -> None:
    headers = login(client, store_a.owner_email)
    created = client.post("/v1/stores", json={"slug": "second", "name": "Second"}, headers=headers)
    assert created.status_code == 201
    switched = client.post("/v1/auth/switch", json={"store": "second"}, headers=headers)
    assert switched.status_code == 200
    assert switched.json()["store"]["slug"] == "second"


def _join_beta_as_learner(db: Database, email: str) -> None:
    with db.transaction() as s:
        user = identity.get_user_by_email(s, email)
        store = identity.get_store_by_slug(s, "beta")
        assert user is not None and store is not None
        identity.join_store_as_learner(s, user, store)


def test_login_with_several_stores_and_none_used_yet_asks(
    client: TestClient, db: Database, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    _join_beta_as_learner(db, store_a.owner_email)
    answer = client.post("/v1/auth/login", json={"email": store_a.owner_email, "password": PASSWORD}).json()
    assert answer["store"] is None
    assert sorted(s["slug"] for s in answer["stores"]) == ["alpha", "beta"]
    unbound = {"Authorization": f"Bearer {answer['access_token']}"}
    assert client.get("/v1/courses", headers=unbound).status_code == 403


def test_login_with_several_stores_picks_the_last_used(
    client: TestClient, db: Database, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    _join_beta_as_learner(db, store_a.owner_email)
    login(client, store_a.owner_email, store="beta")
    again = client.post("/v1/auth/login", json={"email": store_a.owner_email, "password": PASSWORD}).json()
    assert again["store"]["slug"] == "beta" and again["role"] == "learner"


def test_api_key_cannot_open_stores(client: TestClient, store_a: StoreWorld) -> None:
    headers = login(client, store_a.owner_email)
    key = client.post("/v1/keys", json={"name": "k"}, headers=headers).json()["key"]
    response = client.post(
        "/v1/stores", json={"slug": "via-key", "name": "x"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 403
