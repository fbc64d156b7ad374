"""The study-guide agent on the real local model: a cheat sheet of the shipped demo course is
schema-valid, every entry cites a lesson of the course, and the approved PDF renders."""

from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.db import Database
from core.settings import Settings
from core.storage.factory import make_storage_provider
from courses import artifacts
from courses.models import Lesson
from tests.conftest import StoreWorld


# The model path is the same on either database (the scripted tests cover PostgreSQL): one run, not two.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cheat_sheet_of_the_demo_course_cites_its_lessons(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    from agents import model_files
    from agents.service import build_run_manager
    from cli.demo import SHIPPED_COURSE
    from courses.importer import import_course, read_source
    from media.documents.model import StudyDocument

    model_files.locate()  # a clear failure, not a skip, when the install step did not run
    with db.transaction() as s:
        course = import_course(s, store_a.owner, read_source(SHIPPED_COURSE), publish=True)
    manager = build_run_manager(settings.model_copy(update={"llm_temperature": 0.0}), db, lambda: None)
    try:
        thread = manager.create_thread(store_a.owner, "study_guides", course.id)
        run = manager.start(store_a.owner, thread.id, "Make a cheat sheet of this course")
        manager.wait(run.id, timeout=900)
        events = manager.events.replay(run.id)
        review = next((e for e in events if e.type == "approval.required"), None)
        assert review is not None, [e.data for e in events if e.type in ("error", "message.completed")]
        document = StudyDocument.model_validate(review.data["arguments"]["document"])
        manager.resume(store_a.owner, run.id, "approve")
        manager.wait(run.id, timeout=120)
        events = manager.events.replay(run.id)
    finally:
        manager.shutdown()
    with db.transaction() as s:
        lessons = set(s.scalars(select(Lesson.id).where(Lesson.course_id == course.id)))
    assert {s.lesson_id for s in document.sources} <= lessons
    assert all(block.cites for section in document.sections for block in section.blocks)
    artifact = next(e for e in events if e.type == "artifact")
    with db.transaction() as s:
        data = artifacts.read_artifact(s, store_a.owner, make_storage_provider(settings), artifact.data["id"]).data
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    assert document.title in text and "[1]" in text
