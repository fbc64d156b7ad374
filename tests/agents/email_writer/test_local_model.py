"""The email writer on the real local model: a two-email sequence for the shipped demo course is
schema-valid and, approved, is saved as two templates and a draft workflow."""

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.settings import Settings
from mail.models import MailTemplate
from mail.workflows.models import MailWorkflow
from tests.conftest import StoreWorld


# The model path is the same on either database (the scripted tests cover PostgreSQL): one run, not two.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_sequence_for_the_demo_course_is_valid_and_saved_as_a_draft(
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
        thread = manager.create_thread(store_a.owner, "email_writer", course.id)
        run = manager.start(store_a.owner, thread.id, "Write a 2-email sequence for this course")
        manager.wait(run.id, timeout=900)
        events = manager.events.replay(run.id)
        review = next((e for e in events if e.type == "approval.required"), None)
        assert review is not None, [e.data for e in events if e.type in ("error", "message.completed")]
        card = review.data["arguments"]
        assert len(card["emails"]) == 2
        assert all(e["subject"].strip() and len(e["body"]) >= 40 and e["kind"] in ("nurture", "pitch")
                   for e in card["emails"])  # fmt: skip
        manager.resume(store_a.owner, run.id, "approve", {"confirmed": card["unsupported"]})
        manager.wait(run.id, timeout=120)
    finally:
        manager.shutdown()
    with db.transaction() as s:
        assert s.scalar(select(func.count(MailTemplate.id))) == 2
        assert s.scalars(select(MailWorkflow.status)).one() == "draft"
