"""The social writer on the scripted model: posts drafted and scored, a weak one revised and kept
only if better, promises checked, approved and saved as one Markdown file with scores and reasons."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.db import Database
from core.settings import Settings
from core.storage.factory import make_object_store
from courses import artifacts
from tests.agent_fixtures import indexed_store, manager
from tests.agents.social_writer.test_virality import GOOD
from tests.agents.video_scripter.test_graph import CADENCES
from tests.conftest import StoreWorld
from tests.scripted_model import ScriptedChatModel

WEAK = ["Music theory is a topic.", "There is a course.", "It has lessons."]
LINKEDIN = ("Why do some phrases sound finished? " + "A cadence ends a phrase, dominant to tonic. " * 14
            + "Enroll today.")  # fmt: skip


def posts(*items: tuple[str, list[str]]) -> str:
    return json.dumps({"posts": [{"platform": p, "parts": parts} for p, parts in items]})


@pytest.fixture
def course(db: Database, store_a: StoreWorld, tmp_path: Path) -> Iterator[tuple[StoreWorld, Any]]:
    yield from indexed_store(db, store_a, CADENCES, tmp_path / "index")


def test_a_weak_post_is_revised_and_the_posts_are_saved_with_their_scores(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    world, runtime = course
    model = ScriptedChatModel(script=[posts(("x_thread", WEAK), ("linkedin", [LINKEDIN])),
                                      json.dumps({"scores": [2, 4]}), posts(("x_thread", GOOD))])  # fmt: skip
    m = manager(db, settings, runtime, model)
    thread = m.create_thread(world.owner, "social_writer", world.course_id)
    run = m.start(world.owner, thread.id, "Write an X thread and a LinkedIn post for this course")
    m.wait(run.id)
    card = next(e for e in m.events.replay(run.id) if e.type == "approval.required").data["arguments"]
    thread_post, linkedin = card["posts"]
    assert thread_post["parts"] == GOOD and thread_post["score"] > thread_post["first_score"]
    assert linkedin["first_score"] == linkedin["score"] and any("hook" in r for r in linkedin["reasons"])
    assert "scored low" in str(model.calls[2]["messages"][-1].content)  # the revision was told why
    m.resume(world.owner, run.id, "approve", {"confirmed": card["unsupported"]})
    m.wait(run.id)
    saved = next(e for e in m.events.replay(run.id) if e.type == "artifact").data
    with db.transaction() as s:
        text = artifacts.read_artifact(s, world.owner, make_object_store(settings), saved["id"]).data.decode()
    assert f"## X thread (virality {thread_post['score']}/100)" in text and "Why this score:" in text
    assert "1/3 Why do some songs feel finished?" in text
