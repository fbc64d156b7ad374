"""The social writer on the real local model: a LinkedIn post for the shipped demo course is
schema-valid, scored with its reasons, and saved once approved."""

import pytest

from core.db import Database
from core.settings import Settings
from core.storage.factory import make_object_store
from courses import artifacts
from tests.conftest import StoreWorld


# The model path is the same on either database (the scripted tests cover PostgreSQL): one run, not two.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_linkedin_post_for_the_demo_course_is_valid_scored_and_saved(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    from agents import model_files
    from agents.service import build_run_manager
    from cli.demo import SHIPPED_COURSE
    from courses.importer import import_course, read_source

    model_files.locate()  # a clear failure, not a skip, when the install step did not run
    with db.transaction() as s:
        course = import_course(s, store_a.owner, read_source(SHIPPED_COURSE), publish=True)
    manager = build_run_manager(settings.model_copy(update={"llm_temperature": 0.0}), db, lambda: None)
    try:
        thread = manager.create_thread(store_a.owner, "social_writer", course.id)
        run = manager.start(store_a.owner, thread.id, "Write a LinkedIn post for this course")
        manager.wait(run.id, timeout=600)
        events = manager.events.replay(run.id)
        review = next((e for e in events if e.type == "approval.required"), None)
        assert review is not None, [e.data for e in events if e.type in ("error", "message.completed")]
        card = review.data["arguments"]
        [post] = card["posts"]
        assert post["platform"] == "linkedin" and post["parts"] and all(p.strip() for p in post["parts"])
        assert 0 <= post["first_score"] <= post["score"] <= 100 and len(post["reasons"]) >= 5
        manager.resume(store_a.owner, run.id, "approve", {"confirmed": card["unsupported"]})
        manager.wait(run.id, timeout=120)
        events = manager.events.replay(run.id)
    finally:
        manager.shutdown()
    saved = next(e for e in events if e.type == "artifact").data
    with db.transaction() as s:
        text = artifacts.read_artifact(s, store_a.owner, make_object_store(settings), saved["id"]).data.decode()
    assert f"## LinkedIn (virality {post['score']}/100)" in text and post["parts"][0].strip()[:40] in text
