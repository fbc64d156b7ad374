"""GET /v1/courses/{id}/gaps: the content-gap report over HTTP, for the store's creators only."""

from __future__ import annotations

from typing import Any

from core.db import Database
from core.settings import Settings
from tests.api.test_runs_api import Api, api  # noqa: F401 (the fixture)
from tests.conftest import login, principal_of
from tools.base import ToolContext
from tools.registry import build_registry


def test_the_owner_reads_the_gap_report_and_a_learner_gets_a_403(api: Api, db: Database, settings: Settings) -> None:  # noqa: F811
    store = api.store
    learner = principal_of(db, store.learner_email, store.store_id)
    args: dict[str, Any] = {
        "course_id": store.course_id,
        "question": "What about reverb?",
        "answered": False,
        "passages": 0,
    }
    build_registry().invoke(
        "record_question", ToolContext(db=db, principal=learner, settings=settings, run_id="run_asked"), args
    )
    owner = login(api.client, store.owner_email, store.slug)
    report = api.client.get(f"/v1/courses/{store.course_id}/gaps?days=30", headers=owner)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["unanswered"] == 1 and body["gaps"][0]["examples"] == ["What about reverb?"]
    denied = api.client.get(f"/v1/courses/{store.course_id}/gaps", headers=api.learner)
    assert denied.status_code == 403
    bad = api.client.get(f"/v1/courses/{store.course_id}/gaps?days=0", headers=owner)
    assert bad.status_code == 422 and "days" in bad.text
