"""The social writer on the real local model: a LinkedIn post for the shipped demo course is
schema-valid, scored with its reasons, and saved once approved."""

import pytest

from core.db import Database
from core.settings import Settings
from core.storage.factory import make_storage_provider
from courses import artifacts
from tests.agent_fixtures import local_model_review
from tests.conftest import StoreWorld


# The model path is the same on either database (the scripted tests cover PostgreSQL): one run, not two.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_linkedin_post_for_the_demo_course_is_valid_scored_and_saved(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    message = "Write a LinkedIn post for this course"
    with local_model_review(db, settings, store_a, "social_writer", message) as (manager, run, review):
        card = review.data["arguments"]
        [post] = card["posts"]
        assert post["platform"] == "linkedin" and post["parts"] and all(p.strip() for p in post["parts"])
        assert 0 <= post["first_score"] <= post["score"] <= 100 and len(post["reasons"]) >= 5
        manager.resume(store_a.owner, run.id, "approve", {"confirmed": card["unsupported"]})
        manager.wait(run.id, timeout=120)
        saved = next(e for e in manager.events.replay(run.id) if e.type == "artifact").data
    with db.transaction() as s:
        text = artifacts.read_artifact(s, store_a.owner, make_storage_provider(settings), saved["id"]).data.decode()
    assert f"## LinkedIn (virality {post['score']}/100)" in text and post["parts"][0].strip()[:40] in text
