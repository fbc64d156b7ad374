"""The claim check as a tool, over a real index of the store's course: a promise the course holds,
one it does not (with the nearest lesson), a count against the course's own; creators only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.db import Database
from core.errors import Forbidden
from core.jobs import huey
from core.settings import Settings
from tests.agent_fixtures import indexed_store
from tests.conftest import StoreWorld, principal_of
from tests.core.test_export_hooks import hooked
from tools.base import ToolContext
from tools.registry import build_registry

CADENCES = """# Cadence types

A cadence ends a phrase. The perfect authentic cadence moves from the dominant to the tonic with the
tonic in the soprano; the half cadence ends on the dominant."""


@pytest.fixture
def course(db: Database, store_a: StoreWorld, tmp_path: Path) -> Iterator[tuple[StoreWorld, Any]]:
    yield from indexed_store(db, store_a, CADENCES, tmp_path / "index")


def checked(db: Database, settings: Settings, world: StoreWorld, runtime: Any, text: str) -> dict[str, Any]:
    ctx = ToolContext(db=db, principal=world.owner, settings=settings, retrieval=runtime)
    return build_registry().invoke("check_claims", ctx, {"course_id": world.course_id, "text": text})


def test_the_course_holds_one_promise_and_not_the_other(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    world, runtime = course
    text = "You will learn the perfect authentic cadence and the half cadence. Master vocal mixing with compression."
    report = checked(db, settings, world, runtime, text)
    held, flagged = report["claims"]
    assert held["supported"] and held["lesson_id"] == world.paid_lesson_id
    assert not flagged["supported"] and flagged["lesson_id"] and "do not cover" in flagged["reason"]
    assert report["unsupported"] == 1


def test_a_count_is_checked_against_the_courses_lessons(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    world, runtime = course
    [claim] = checked(db, settings, world, runtime, "Includes 50 lessons.")["claims"]
    assert claim["kind"] == "count" and not claim["supported"] and "not 50 lessons" in claim["reason"]


def test_a_learner_cannot_check_claims(db: Database, settings: Settings, course: tuple[StoreWorld, Any]) -> None:
    world, runtime = course
    learner = principal_of(db, world.learner_email, world.store_id)
    ctx = ToolContext(db=db, principal=learner, settings=settings, retrieval=runtime)
    with pytest.raises(Forbidden):
        build_registry().invoke("check_claims", ctx, {"course_id": world.course_id, "text": "Learn cadences."})


POSTS = {"title": "Posts for Theory", "posts": [{"platform": "linkedin", "parts": ["Why do phrases end? Enroll."],
                                                 "score": 80, "reasons": ["hook: short"]}]}  # fmt: skip


def test_saved_posts_are_sent_to_the_stores_export_webhook(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    with hooked(db, settings, store_a) as stub:
        ctx = ToolContext(db=db, principal=store_a.owner, settings=settings)
        saved = build_registry().invoke("save_social_posts", ctx, {"course_id": store_a.course_id, **POSTS})
        huey.execute(huey.dequeue())
    [sent] = stub.seen
    assert saved["exported"] and sent["request_headers"]["webhook-id"] == f"posts_{saved['artifact_id']}"
    assert sent["type"] == "social_posts.saved" and sent["data"]["posts"][0]["parts"] == POSTS["posts"][0]["parts"]


def test_without_an_export_webhook_posts_are_only_saved(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    ctx = ToolContext(db=db, principal=store_a.owner, settings=settings)
    saved = build_registry().invoke("save_social_posts", ctx, {"course_id": store_a.course_id, **POSTS})
    assert saved["exported"] is False and saved["kind"] == "social_posts"
