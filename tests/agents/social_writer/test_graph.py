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
from core.storage.factory import make_storage_provider
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
    model = ScriptedChatModel(script=[posts(("x_thread", WEAK)), posts(("linkedin", [LINKEDIN])),
                                      json.dumps({"scores": [2, 4]}), posts(("x_thread", GOOD))])  # fmt: skip
    m = manager(db, settings, runtime, model)
    thread = m.create_thread(world.owner, "social_writer", world.course_id)
    run = m.start(world.owner, thread.id, "Write an X thread and a LinkedIn post for this course")
    m.wait(run.id)
    card = next(e for e in m.events.replay(run.id) if e.type == "approval.required").data["arguments"]
    thread_post, linkedin = card["posts"]
    assert thread_post["parts"] == GOOD and thread_post["score"] > thread_post["first_score"]
    assert thread_post["revision"]["kept"] and "revision" not in linkedin  # tried only under the bar
    assert linkedin["first_score"] == linkedin["score"] and any("hook" in r for r in linkedin["reasons"])
    revision = str(model.calls[3]["messages"][-1].content)  # told what to do, not shown the weak draft
    assert "End with what to do" in revision and WEAK[0] not in revision
    m.resume(world.owner, run.id, "approve", {"confirmed": card["unsupported"]})
    m.wait(run.id)
    saved = next(e for e in m.events.replay(run.id) if e.type == "artifact").data
    with db.transaction() as s:
        text = artifacts.read_artifact(s, world.owner, make_storage_provider(settings), saved["id"]).data.decode()
    assert f"## X thread (virality {thread_post['score']}/100)" in text and "Why this score:" in text
    assert "1/3 Why do some songs feel finished?" in text


def _start(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any], replies: list[str]
) -> tuple[Any, Any, Any]:
    world, runtime = course
    model = ScriptedChatModel(script=replies)
    m = manager(db, settings, runtime, model)
    run = m.start(world.owner, m.create_thread(world.owner, "social_writer", world.course_id).id,
                  "Write a LinkedIn post for this course")  # fmt: skip
    m.wait(run.id)
    return m, run, model


def _card(m: Any, run_id: str) -> dict[str, Any]:
    return dict([e for e in m.events.replay(run_id) if e.type == "approval.required"][-1].data["arguments"])


def test_asking_for_changes_drafts_the_posts_again_with_what_was_asked(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    again = LINKEDIN.replace("Why do some phrases", "What makes some phrases")
    replies = [posts(("linkedin", [LINKEDIN])), json.dumps({"scores": [4]}), posts(("linkedin", [again])),
               json.dumps({"scores": [4]})]  # fmt: skip
    m, run, model = _start(db, settings, course, replies)
    m.resume(course[0].owner, run.id, "revise", feedback="Open with a question about endings")
    m.wait(run.id)
    assert "The creator asked: Open with a question about endings" in str(model.calls[2]["messages"][-1].content)
    assert _card(m, run.id)["posts"][0]["parts"] == [again]


def test_an_edit_is_scored_and_checked_not_drafted_over(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    m, run, model = _start(db, settings, course, [posts(("linkedin", [LINKEDIN])), json.dumps({"scores": [4]})])
    mine = "Master vocal mixing in a weekend. Enroll today."
    m.resume(course[0].owner, run.id, "edit", {"posts": [{"platform": "linkedin", "parts": [mine]}]})
    m.wait(run.id)
    shown = _card(m, run.id)
    [post] = shown["posts"]
    assert post["parts"] == [mine] and any("characters (600-1,300" in r for r in post["reasons"])
    assert post["score"] < post["first_score"]  # a short post scores lower, and the card says why
    assert any("vocal mixing" in u for u in shown["unsupported"]) and len(model.calls) == 2


def test_an_edit_without_a_known_platform_is_refused_and_the_posts_kept(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    m, run, _ = _start(db, settings, course, [posts(("linkedin", [LINKEDIN])), json.dumps({"scores": [4]})])
    m.resume(course[0].owner, run.id, "edit", {"posts": [{"platform": "myspace", "parts": ["Hello there"]}]})
    m.wait(run.id)
    shown = _card(m, run.id)
    assert shown["note"].startswith("Each edited post needs") and shown["posts"][0]["parts"] == [LINKEDIN]


def test_rejected_posts_save_nothing(db: Database, settings: Settings, course: tuple[StoreWorld, Any]) -> None:
    m, run, _ = _start(db, settings, course, [posts(("linkedin", [LINKEDIN])), json.dumps({"scores": [4]})])
    m.resume(course[0].owner, run.id, "reject")
    m.wait(run.id)
    assert not [e for e in m.events.replay(run.id) if e.type == "artifact"]
    assert m.get_run(course[0].owner, run.id).status == "completed"


def test_a_platform_the_model_fails_loses_only_its_post_and_says_so(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    world, runtime = course
    model = ScriptedChatModel(script=["not json", posts(("linkedin", [LINKEDIN])), json.dumps({"scores": [4]})])
    m = manager(db, settings, runtime, model)
    run = m.start(world.owner, m.create_thread(world.owner, "social_writer", world.course_id).id,
                  "Write an X thread and a LinkedIn post for this course")  # fmt: skip
    m.wait(run.id)
    shown = _card(m, run.id)
    assert [p["platform"] for p in shown["posts"]] == ["linkedin"] and "x_thread" in shown["note"]
