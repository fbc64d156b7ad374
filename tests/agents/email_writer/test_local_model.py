"""The email writer on the real local model: a two-email sequence for the shipped demo course is
schema-valid and, approved, is saved as two templates and a draft workflow."""

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.settings import Settings
from mail.models import MailTemplate
from mail.workflows.models import MailWorkflow
from tests.agent_fixtures import local_model_review
from tests.conftest import StoreWorld


# The model path is the same on either database (the scripted tests cover PostgreSQL): one run, not two.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_sequence_for_the_demo_course_is_valid_and_saved_as_a_draft(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    message = "Write a 2-email sequence for this course"
    with local_model_review(db, settings, store_a, "email_writer", message) as (manager, run, review):
        card = review.data["arguments"]
        assert len(card["emails"]) == 2
        assert all(e["subject"].strip() and len(e["body"]) >= 40 and e["kind"] in ("nurture", "pitch")
                   for e in card["emails"])  # fmt: skip
        manager.resume(store_a.owner, run.id, "approve", {"confirmed": card["unsupported"]})
        manager.wait(run.id, timeout=120)
    with db.transaction() as s:
        assert s.scalar(select(func.count(MailTemplate.id))) == 2
        assert s.scalars(select(MailWorkflow.status)).one() == "draft"
