"""Search, re-indexing, uploads and job status over HTTP, with jobs run as they are committed."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from core.db import Database
from core.settings import Settings
from ingestion import jobs
from ingestion.models import IngestionJob, LessonDocument
from rag.runtime import set_runtime
from tests.conftest import StoreWorld, login, make_key
from tests.files import VTT, make_pdf
from tests.retrieval_fixtures import make_runtime


@pytest.fixture
def app_client(settings: Settings, db: Database, tmp_path: Path) -> Iterator[TestClient]:
    runtime = make_runtime(tmp_path / "index")
    set_runtime(runtime)
    app = create_app(settings.model_copy(update={"max_upload_bytes": 4096}), db=db, run_jobs=False)

    def run_now(job_id: str) -> None:  # each job runs right after the commit that created it
        jobs.run_job(db, runtime, job_id)

    jobs.set_enqueuer(run_now)
    with TestClient(app) as client:
        yield client
    jobs.set_enqueuer(None)
    set_runtime(None)
    runtime.close()


def _reindex(client: TestClient, world: StoreWorld, headers: dict[str, str]) -> dict:
    response = client.post(f"/v1/courses/{world.course_id}/reindex", headers=headers)
    assert response.status_code == 202, response.text
    return client.get(f"/v1/ingestion-jobs/{response.json()['id']}", headers=headers).json()


def test_reindex_job_reports_progress_and_counts(app_client: TestClient, store_a: StoreWorld) -> None:
    job = _reindex(app_client, store_a, login(app_client, store_a.owner_email))
    assert job["status"] == "completed"
    assert (job["processed"], job["total"]) == (3, 3)
    assert job["embedded"] == job["chunks"] > 0


def test_second_reindex_embeds_nothing(app_client: TestClient, store_a: StoreWorld) -> None:
    owner = login(app_client, store_a.owner_email)
    _reindex(app_client, store_a, owner)
    again = _reindex(app_client, store_a, owner)
    assert again["embedded"] == 0 and again["reused"] == again["chunks"]


def test_learner_search_returns_cited_passages(app_client: TestClient, store_a: StoreWorld) -> None:
    _reindex(app_client, store_a, login(app_client, store_a.owner_email))
    learner = login(app_client, store_a.learner_email)
    response = app_client.post("/v1/search", json={"query": "alpha secret", "limit": 3}, headers=learner)
    assert response.status_code == 200
    top = response.json()["passages"][0]
    assert "alpha secret" in top["text"]
    assert top["citation"]["url"].startswith(f"/courses/main/lessons/{store_a.paid_lesson_id}")


def test_other_store_key_finds_nothing_of_ours(
    app_client: TestClient, db: Database, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    _reindex(app_client, store_a, login(app_client, store_a.owner_email))
    response = app_client.post("/v1/search", json={"query": "alpha secret"}, headers=make_key(db, store_b))
    assert response.json()["passages"] == []
    job_id = app_client.post(
        f"/v1/courses/{store_a.course_id}/reindex", headers=login(app_client, store_a.owner_email)
    ).json()["id"]
    assert app_client.get(f"/v1/ingestion-jobs/{job_id}", headers=make_key(db, store_b)).status_code == 404


def test_publishing_a_lesson_indexes_it(app_client: TestClient, store_a: StoreWorld) -> None:
    owner = login(app_client, store_a.owner_email)
    created = app_client.post(
        f"/v1/modules/{store_a.module_id}/lessons",
        json={"title": "Sidechain", "body_md": "Sidechain ducking pumps the pads.", "status": "draft"},
        headers=owner,
    ).json()
    search = {"query": "sidechain ducking", "limit": 1}
    assert app_client.post("/v1/search", json=search, headers=owner).json()["passages"] == []
    app_client.patch(f"/v1/lessons/{created['id']}", json={"status": "published"}, headers=owner)
    (hit,) = app_client.post("/v1/search", json=search, headers=owner).json()["passages"]
    assert hit["citation"]["lesson_id"] == created["id"]
    app_client.delete(f"/v1/lessons/{created['id']}", headers=owner)
    remaining = app_client.post("/v1/search", json=search, headers=owner).json()["passages"]
    assert created["id"] not in {p["citation"]["lesson_id"] for p in remaining}


def test_uploaded_transcript_is_searchable_with_timestamps(app_client: TestClient, store_a: StoreWorld) -> None:
    owner = login(app_client, store_a.owner_email)
    response = app_client.post(
        f"/v1/courses/{store_a.course_id}/documents",
        data={"lesson_id": store_a.paid_lesson_id},
        files={"file": ("session.vtt", VTT, "text/vtt")},
        headers=owner,
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["created"] and body["job"]["id"]
    hits = app_client.post("/v1/search", json={"query": "compress the vocal slow attack"}, headers=owner).json()
    citation = hits["passages"][0]["citation"]
    assert citation["source_kind"] == "document" and citation["start_s"] == 1.0
    assert citation["lesson_id"] == store_a.paid_lesson_id
    again = app_client.post(
        f"/v1/courses/{store_a.course_id}/documents",
        data={"lesson_id": store_a.paid_lesson_id},
        files={"file": ("session.vtt", VTT, "text/vtt")},
        headers=owner,
    )
    assert again.status_code == 200 and not again.json()["created"]


def test_pdf_upload_and_removal(app_client: TestClient, store_a: StoreWorld) -> None:
    owner = login(app_client, store_a.owner_email)
    upload = app_client.post(
        f"/v1/courses/{store_a.course_id}/documents",
        data={"lesson_id": store_a.preview_lesson_id},
        files={"file": ("handout.pdf", make_pdf(["Headroom keeps peaks clean"]), "application/pdf")},
        headers=owner,
    ).json()
    listed = app_client.get(f"/v1/lessons/{store_a.preview_lesson_id}/documents", headers=owner).json()
    assert [d["filename"] for d in listed] == ["handout.pdf"]
    assert app_client.delete(f"/v1/documents/{upload['document']['id']}", headers=owner).status_code == 202
    hits = app_client.post("/v1/search", json={"query": "headroom peaks"}, headers=owner).json()["passages"]
    assert all(h["citation"]["source_kind"] == "lesson" for h in hits)


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("song.mp3", b"ID3", 400, "unsupported file type"),
        ("empty.txt", b"", 400, "empty"),
        ("broken.pdf", b"%PDF-1.4 nonsense", 400, "not a readable PDF"),
        ("big.txt", b"x" * 5000, 413, "exceeds the limit of 4096 bytes"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_written(
    app_client: TestClient, db: Database, store_a: StoreWorld, name: str, data: bytes, status: int, words: str
) -> None:
    owner = login(app_client, store_a.owner_email)
    response = app_client.post(
        f"/v1/courses/{store_a.course_id}/documents",
        data={"lesson_id": store_a.paid_lesson_id},
        files={"file": (name, data)},
        headers=owner,
    )
    assert response.status_code == status and words in response.json()["detail"]
    with db.transaction() as s:
        assert s.scalar(select(func.count(LessonDocument.id))) == 0
        assert s.scalar(select(func.count(IngestionJob.id))) == 0


def test_upload_to_foreign_lesson_is_404(app_client: TestClient, store_a: StoreWorld, store_b: StoreWorld) -> None:
    response = app_client.post(
        f"/v1/courses/{store_b.course_id}/documents",
        data={"lesson_id": store_a.paid_lesson_id},
        files={"file": ("a.txt", b"hello")},
        headers=login(app_client, store_b.owner_email),
    )
    assert response.status_code == 404


def test_search_input_is_validated(app_client: TestClient, store_a: StoreWorld) -> None:
    owner = login(app_client, store_a.owner_email)
    bad = app_client.post("/v1/search", json={"query": "", "limit": 99}, headers=owner)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"query", "limit"}


def test_jobs_left_running_by_a_crash_are_resumed(db: Database, store_a: StoreWorld, tmp_path: Path) -> None:
    with db.transaction() as s:
        job = jobs.request_index(s, store_a.store_id, store_a.course_id)
        job.status = "running"  # the process died mid-job
    pending = jobs.recover(db, restarted=True)
    assert pending.count(job.id) >= 1
    runtime = make_runtime(tmp_path / "index")
    finished = jobs.run_job(db, runtime, job.id)
    runtime.close()
    assert finished is not None and finished.status == "completed" and finished.attempts == 1
