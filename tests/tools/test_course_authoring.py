"""Creators' course tools: build, edit, reorder, publish and measure a course, only in their store."""

import pytest

from core.db import Database
from core.settings import Settings
from courses import changes
from courses.models import Lesson
from tests.conftest import StoreWorld, principal_of
from tools.base import ToolContext
from tools.registry import build_registry


def ctx(db: Database, settings: Settings, principal) -> ToolContext:
    return ToolContext(db=db, principal=principal, settings=settings)


def test_creator_builds_a_course_with_the_tools(
    db: Database, settings: Settings, store_a: StoreWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    announced: list[tuple[str, list[str] | None]] = []
    monkeypatch.setattr(changes, "_listeners", [lambda s, store, course, lessons: announced.append((course, lessons))])
    reg, c = build_registry(), ctx(db, settings, store_a.owner)
    course = reg.invoke("create_course", c, {"title": "Mixing vocals", "slug": "mixing-vocals"})
    module = reg.invoke("create_module", c, {"course_id": course["course_id"], "title": "Basics"})
    lesson = reg.invoke(
        "create_lesson",
        c,
        {"module_id": module["module_id"], "title": "EQ", "body_md": "# EQ\nCut mud.", "status": "published"},
    )
    second = reg.invoke("create_lesson", c, {"module_id": module["module_id"], "title": "Compression"})
    order = reg.invoke(
        "reorder", c, {"parent_id": module["module_id"], "ordered_ids": [second["lesson_id"], lesson["lesson_id"]]}
    )
    published = reg.invoke("publish_course", c, {"course_id": course["course_id"]})
    assert course["status"] == "draft" and lesson["words"] == 4 and second["status"] == "draft"
    assert order["ordered_ids"] == [second["lesson_id"], lesson["lesson_id"]]
    assert published["status"] == "published"
    assert (course["course_id"], [lesson["lesson_id"]]) in announced  # so the index follows the change
    assert (course["course_id"], None) in announced  # publishing: the whole course


def test_publish_course_is_of_the_publish_class() -> None:
    assert build_registry().get("publish_course").side_effect == "publish"


def test_update_lesson_changes_only_what_is_given(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    reg, c = build_registry(), ctx(db, settings, store_a.owner)
    out = reg.invoke("update_lesson", c, {"lesson_id": store_a.paid_lesson_id, "title": "Paid, renamed"})
    with db.transaction() as s:
        lesson = s.get(Lesson, store_a.paid_lesson_id)
        assert lesson is not None and lesson.title == "Paid, renamed" and "secret" in lesson.body_md
    assert out["title"] == "Paid, renamed"


def test_course_stats_count_enrollments_and_completions(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    reg = build_registry()
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    assert reg.call("mark_lesson_complete", ctx(db, settings, learner), {"lesson_id": store_a.preview_lesson_id}).ok
    stats = reg.invoke("course_stats", ctx(db, settings, store_a.owner), {"course_id": store_a.course_id})
    by_lesson = {x["lesson_id"]: x["completions"] for x in stats["lessons"]}
    assert stats["active_enrollments"] == 1 and stats["learners_completed_all"] == 0
    assert by_lesson[store_a.preview_lesson_id] == 1 and by_lesson[store_a.paid_lesson_id] == 0
    listed = reg.invoke("list_enrollments", ctx(db, settings, store_a.owner), {"course_id": store_a.course_id})
    assert len(listed["enrollments"]) == 1


def test_another_stores_course_is_not_found(
    db: Database, settings: Settings, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    result = build_registry().call(
        "update_course", ctx(db, settings, store_b.owner), {"course_id": store_a.course_id, "title": "Mine now"}
    )
    assert not result.ok and result.error["status"] == 404


def test_learner_cannot_author(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    result = build_registry().call("create_course", ctx(db, settings, learner), {"title": "x", "slug": "x"})
    assert not result.ok and result.error["status"] == 403
