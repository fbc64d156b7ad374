"""The course builder on the real local model: an outline of a small brief is schema-valid (by
constrained decoding), and the approved course is created with its lesson written."""

import pytest
from sqlalchemy import select

from core.db import Database
from core.settings import Settings
from courses.models import Course, Lesson
from tests.conftest import StoreWorld


# The model path is the same on either database (the scripted tests cover PostgreSQL): one run, not two.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_small_brief_becomes_a_valid_outline_and_a_written_course(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    from agents import model_files
    from agents.service import build_run_manager
    from tools.course_outlines import CourseOutline

    model_files.locate()  # a clear failure, not a skip, when the install step did not run
    manager = build_run_manager(settings.model_copy(update={"llm_temperature": 0.0}), db, lambda: None)
    try:
        thread = manager.create_thread(store_a.owner, "course_builder", None)
        brief = "A beginner course on tuning a guitar by ear, 1 module with 1 lesson"
        run = manager.start(store_a.owner, thread.id, brief)
        manager.wait(run.id, timeout=600)
        review = next((e for e in manager.events.replay(run.id) if e.type == "approval.required"), None)
        assert review is not None, [e.data for e in manager.events.replay(run.id) if e.type == "message.completed"]
        outline = CourseOutline.model_validate(review.data["arguments"]["outline"])
        assert len(outline.modules) == 1 and len(outline.modules[0].lessons) == 1
        manager.resume(store_a.owner, run.id, "approve")
        manager.wait(run.id, timeout=600)
        assert manager.get_run(store_a.owner, run.id).status == "interrupted"  # the publish card
        manager.resume(store_a.owner, run.id, "reject")
        manager.wait(run.id, timeout=60)
    finally:
        manager.shutdown()
    with db.transaction() as s:
        course = s.scalars(
            select(Course).where(Course.store_id == store_a.store_id, Course.title == outline.title)
        ).one()
        [lesson] = s.scalars(select(Lesson).where(Lesson.course_id == course.id))
        assert course.status == "draft" and lesson.title == outline.modules[0].lessons[0].title
        assert len(lesson.body_md.split()) > 80 and "general knowledge" in lesson.body_md
