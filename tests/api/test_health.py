from fastapi.testclient import TestClient


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_database_and_migrations(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_openapi_documents_examples_and_problems(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/v1/courses" in spec["paths"]
    course_create = spec["components"]["schemas"]["CourseCreate"]
    assert course_create["examples"][0]["slug"] == "mixing-101"
    assert course_create["additionalProperties"] is False


def test_index_page_is_served(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Academy" in response.text
