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


def test_readyz_answers_while_the_apps_pool_is_exhausted(client: TestClient, db_url: str) -> None:
    from sqlalchemy import create_engine

    from core.db import normalise_url

    context = client.app.state.context  # type: ignore[attr-defined]
    tiny = create_engine(normalise_url(db_url), pool_size=1, max_overflow=0, pool_timeout=30)
    held = tiny.connect()
    original, context.db.engine = context.db.engine, tiny
    try:
        response = client.get("/readyz")
    finally:
        context.db.engine = original
        held.close()
        tiny.dispose()
    assert response.status_code == 200 and response.json()["status"] == "ready"


def test_every_operation_documents_its_problem_responses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path != "/healthz":
                assert "503" in codes, (method, path)
                assert "Retry-After" in operation["responses"]["503"]["headers"]
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= codes, (method, path)
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (method, path, code)


def test_authenticated_operations_document_401_403_and_429(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"401", "403", "429"} <= set(spec["paths"]["/v1/courses"]["get"]["responses"])
    assert {"401", "403"} <= set(spec["paths"]["/v1/runs/{run_id}/events"]["get"]["responses"])
    assert "401" not in spec["paths"]["/v1/stores/{slug}/catalog"]["get"]["responses"]


def test_documented_headers_include_idempotency_and_position(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    create = {p["name"] for p in spec["paths"]["/v1/courses"]["post"]["parameters"]}
    events = {p["name"] for p in spec["paths"]["/v1/runs/{run_id}/events"]["get"]["parameters"]}
    assert "Idempotency-Key" in create and "Last-Event-ID" in events
