from fastapi.testclient import TestClient

from tests.conftest import StoreWorld, login


def test_creator_builds_and_publishes_a_course(client: TestClient, store_a: StoreWorld) -> None:
    h = login(client, store_a.owner_email)
    course = client.post("/v1/courses", json={"slug": "mixing", "title": "Mixing"}, headers=h).json()
    module = client.post(f"/v1/courses/{course['id']}/modules", json={"title": "EQ"}, headers=h).json()
    lesson = client.post(
        f"/v1/modules/{module['id']}/lessons",
        json={"title": "Cuts", "body_md": "# Cuts\ncut first"},
        headers=h,
    ).json()
    published = client.post(f"/v1/courses/{course['id']}/publish", headers=h)
    assert published.status_code == 200 and published.json()["status"] == "published"
    outline = client.get(f"/v1/courses/{course['id']}/outline", headers=h).json()
    assert outline["modules"][0]["lessons"][0]["id"] == lesson["id"]
    assert client.get(f"/v1/lessons/{lesson['id']}", headers=h).json()["body_md"] == "# Cuts\ncut first"


def test_patch_changes_only_given_fields(client: TestClient, store_a: StoreWorld) -> None:
    h = login(client, store_a.owner_email)
    response = client.patch(f"/v1/courses/{store_a.course_id}", json={"title": "Renamed"}, headers=h)
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed" and response.json()["slug"] == "main"


def test_delete_course_then_404(client: TestClient, store_a: StoreWorld) -> None:
    h = login(client, store_a.owner_email)
    assert client.delete(f"/v1/courses/{store_a.draft_course_id}", headers=h).status_code == 204
    assert client.get(f"/v1/courses/{store_a.draft_course_id}", headers=h).status_code == 404


def test_reorder_modules(client: TestClient, store_a: StoreWorld) -> None:
    h = login(client, store_a.owner_email)
    second = client.post(f"/v1/courses/{store_a.course_id}/modules", json={"title": "Two"}, headers=h).json()
    response = client.put(
        f"/v1/courses/{store_a.course_id}/modules/order",
        json={"ids": [second["id"], store_a.module_id]},
        headers=h,
    )
    assert [m["title"] for m in response.json()] == ["Two", "Module one"]


def test_pagination_walks_every_course_once(client: TestClient, store_a: StoreWorld) -> None:
    h = login(client, store_a.owner_email)
    for i in range(5):
        client.post("/v1/courses", json={"slug": f"p{i}", "title": f"P{i}"}, headers=h)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/courses", params=params, headers=h).json()
        seen += [c["slug"] for c in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(["main", "draft", *[f"p{i}" for i in range(5)]])
    assert len(seen) == len(set(seen))


def test_idempotency_key_replays_the_first_answer(client: TestClient, store_a: StoreWorld) -> None:
    h = {**login(client, store_a.owner_email), "Idempotency-Key": "create-1"}
    first = client.post("/v1/courses", json={"slug": "once", "title": "Once"}, headers=h)
    second = client.post("/v1/courses", json={"slug": "once", "title": "Once"}, headers=h)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    slugs = [c["slug"] for c in client.get("/v1/courses", headers=h).json()["data"]]
    assert slugs.count("once") == 1


def test_idempotency_key_reused_for_other_request_is_422(client: TestClient, store_a: StoreWorld) -> None:
    h = {**login(client, store_a.owner_email), "Idempotency-Key": "create-2"}
    client.post("/v1/courses", json={"slug": "one", "title": "One"}, headers=h)
    response = client.post("/v1/courses", json={"slug": "two", "title": "Two"}, headers=h)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_learner_enrolls_reads_and_tracks_progress(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    client.patch(f"/v1/courses/{store_a.course_id}", json={"is_free": True}, headers=owner)
    signup = client.post(
        "/v1/auth/signup", json={"email": "fan@example.com", "password": "password-123", "store": "alpha"}
    )
    client.cookies.clear()
    h = {"Authorization": f"Bearer {signup.json()['access_token']}"}
    assert client.get(f"/v1/lessons/{store_a.paid_lesson_id}", headers=h).status_code == 403
    assert client.post(f"/v1/courses/{store_a.course_id}/enroll", headers=h).status_code == 201
    assert client.get(f"/v1/lessons/{store_a.paid_lesson_id}", headers=h).status_code == 200
    assert client.put(f"/v1/lessons/{store_a.paid_lesson_id}/completion", headers=h).status_code == 200
    progress = client.get(f"/v1/courses/{store_a.course_id}/progress", headers=h).json()
    assert progress["completed"] == 1 and progress["next_lesson_id"] == store_a.preview_lesson_id
    mine = client.get("/v1/me/enrollments", headers=h).json()
    assert [e["course"]["id"] for e in mine] == [store_a.course_id]


def test_creator_grants_and_revokes_enrollment(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    enrollments = client.get(f"/v1/courses/{store_a.course_id}/enrollments", headers=owner).json()["data"]
    revoked = client.delete(f"/v1/enrollments/{enrollments[0]['id']}", headers=owner)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    learner = login(client, store_a.learner_email)
    assert client.get(f"/v1/lessons/{store_a.paid_lesson_id}", headers=learner).status_code == 403


def test_drip_lock_reports_when_it_opens(client: TestClient, store_a: StoreWorld) -> None:
    learner = login(client, store_a.learner_email)
    response = client.get(f"/v1/lessons/{store_a.drip_lesson_id}", headers=learner)
    assert response.status_code == 403
    assert response.json()["reason"] == "drip" and "unlocks_at" in response.json()


def test_storefront_is_public_and_lists_published_only(client: TestClient, store_a: StoreWorld) -> None:
    response = client.get("/v1/stores/alpha/catalog")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["courses"]] == [store_a.course_id]


def test_a_key_asking_for_no_scopes_is_a_422_not_every_default_scope(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    refused = client.post("/v1/keys", json={"name": "none", "scopes": []}, headers=owner)
    assert refused.status_code == 422 and "scopes" in refused.text
    assert client.get("/v1/keys", headers=owner).json() == []


def test_members_and_keys_lifecycle(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    members = client.get("/v1/store/members", headers=owner).json()
    assert {m["role"] for m in members} == {"owner", "learner"}
    created = client.post("/v1/keys", json={"name": "zap", "scopes": ["courses:read"]}, headers=owner)
    assert created.status_code == 201
    key = created.json()
    listed = client.get("/v1/keys", headers=owner).json()
    assert [k["prefix"] for k in listed] == [key["prefix"]] and "key" not in listed[0]
    with_key = {"Authorization": f"Bearer {key['key']}"}
    assert client.get("/v1/courses", headers=with_key).status_code == 200
    assert client.post("/v1/courses", json={"slug": "no", "title": "No"}, headers=with_key).status_code == 403
    assert client.delete(f"/v1/keys/{key['id']}", headers=owner).json()["revoked_at"]
    revoked = client.get("/v1/courses", headers=with_key)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
