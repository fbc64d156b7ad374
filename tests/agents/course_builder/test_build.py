"""Building the approved outline on the scripted model: the draft course whole, each lesson written
with progress, citations checked against the source course, and publishing only on approval."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from core.errors import NotFound
from core.settings import Settings
from courses.models import Course, Lesson
from ingestion.pipeline import Ingestor
from ingestion.sources import course_sources
from tests.agent_fixtures import manager
from tests.agents.course_builder.factories import LESSON, outline_reply, start
from tests.agents.study_guides.factories import studio_course
from tests.conftest import StoreWorld
from tests.retrieval_fixtures import make_runtime
from tests.scripted_model import ScriptedChatModel


def _course(db: Database, store_id: str, title: str) -> tuple[Course, list[Lesson]]:
    with db.transaction() as s:
        course = s.scalars(select(Course).where(Course.store_id == store_id, Course.title == title)).one()
        lessons = list(s.scalars(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.title)))
        s.expunge_all()
        return course, lessons


def test_an_approved_outline_becomes_a_course_written_lesson_by_lesson(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    run = start(db, settings, store_a, [outline_reply(), *[LESSON] * 4])
    run.resume(store_a, "approve")
    progress = run.events("progress")
    assert [(p["done"], p["total"]) for p in progress] == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert progress[1]["label"] == "Lesson 1.1"
    card = run.card()
    assert card["name"] == "publish_course" and card["arguments"]["own"] == 4
    course, lessons = _course(db, store_a.store_id, "Mixing vocals")
    assert course.status == "draft" and len(lessons) == 4
    assert all(x.body_md.startswith("> *Drafted by the assistant from general knowledge") for x in lessons)
    assert "Clear vocals sit on top" in lessons[0].body_md
    lesson_prompt = str(run.model.calls[1]["messages"][-1].content)
    assert "Lesson: Lesson 1.1" in lesson_prompt and "Explain how to mix lesson 1.1 vocals" in lesson_prompt


def test_the_course_is_published_only_when_the_creator_approves(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    run = start(db, settings, store_a, [outline_reply(), *[LESSON] * 4])
    run.resume(store_a, "approve")
    run.resume(store_a, "reject")
    assert "stays a draft" in run.answer()
    assert _course(db, store_a.store_id, "Mixing vocals")[0].status == "draft"
    again = start(db, settings, store_a, [outline_reply(title="Vocals II"), *[LESSON] * 4])
    again.resume(store_a, "approve")
    again.resume(store_a, "approve")
    assert again.answer().startswith("Published “Vocals II”")
    assert _course(db, store_a.store_id, "Vocals II")[0].status == "published"


@pytest.fixture
def studio(db: Database, store_a: StoreWorld, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """The studio course, indexed: the source of a new course."""
    course_id = studio_course(db, store_a)
    runtime = make_runtime(tmp_path / "index")
    with db.transaction() as s:
        sources = course_sources(s, store_a.store_id, course_id)
    Ingestor(runtime).sync_course(store_a.store_id, course_id, sources, complete=True)
    yield course_id, runtime
    runtime.close()


def test_lessons_cite_the_source_course_and_unsupported_citations_are_dropped(
    db: Database, settings: Settings, store_a: StoreWorld, studio: tuple[str, Any]
) -> None:
    course_id, runtime = studio
    plan = outline_reply(1, 1, title="Gain staging basics")
    written = (
        "Gain staging is setting the level at each stage of the signal chain so nothing clips [1]. "
        "Vocals love reverb on the moon [1]."
    )
    plan = plan.replace("Lesson 1.1", "Gain staging levels")
    run = start(
        db,
        settings,
        store_a,
        [plan, written],
        message="A short course on gain staging, 1 module of 1 lesson",
        course_id=course_id,
        runtime=runtime,
    )
    assert "Gain staging" in run.card()["arguments"]["sources"]  # the source course's lessons, by title
    run.resume(store_a, "approve")
    assert "[1] (Gain staging)" in str(run.model.calls[1]["messages"][-1].content)
    _, [lesson] = _course(db, store_a.store_id, "Gain staging basics")
    assert "so nothing clips [1]." in lesson.body_md and "on the moon." in lesson.body_md
    assert "moon [1]" not in lesson.body_md
    assert "## Sources\n\n1. [Gain staging](/courses/studio/lessons/" in lesson.body_md
    card = run.card()["arguments"]
    assert (card["grounded"], card["citations"], card["dropped_citations"]) == (1, 1, 1)


def test_another_stores_course_cannot_be_a_source(
    db: Database, settings: Settings, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    m = manager(db, settings, None, ScriptedChatModel(script=[]))
    with pytest.raises(NotFound):
        m.create_thread(store_a.owner, "course_builder", store_b.course_id)


def test_a_brief_to_fill_the_gaps_reads_what_learners_asked(
    db: Database, settings: Settings, world: tuple[StoreWorld, Any]
) -> None:
    from tests.conftest import principal_of
    from tools.base import ToolContext
    from tools.registry import build_registry

    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    asked = {"course_id": store.course_id, "question": "How long should reverb be?", "answered": False, "passages": 0}
    build_registry().invoke(
        "record_question", ToolContext(db=db, principal=learner, settings=settings, run_id="run_asked"), asked
    )
    brief = "A follow-up course that fills the gaps learners ask about, 1 module of 2 lessons"
    run = start(db, settings, store, [outline_reply(1, 2)], message=brief, course_id=store.course_id, runtime=runtime)
    prompt = str(run.model.calls[0]["messages"][-1].content)
    assert "How long should reverb be? (asked 1 time(s))" in prompt


def test_a_sentence_the_model_left_uncited_is_cited_when_its_source_plainly_holds_it(
    db: Database, settings: Settings, store_a: StoreWorld, studio: tuple[str, Any]
) -> None:
    course_id, runtime = studio
    plan = outline_reply(1, 1, title="Gain staging basics").replace("Lesson 1.1", "Gain staging levels")
    written = (
        "## Levels\n\nGain staging is setting the level at each stage of the signal chain so nothing clips. "
        "Music is fun to make."
    )
    run = start(db, settings, store_a, [plan, written], "Gain staging, 1 module of 1 lesson", course_id, runtime)
    run.resume(store_a, "approve")
    _, [lesson] = _course(db, store_a.store_id, "Gain staging basics")
    assert "so nothing clips [1]." in lesson.body_md and "fun to make." in lesson.body_md
    assert "fun to make [1]" not in lesson.body_md and "## Levels\n" in lesson.body_md
    assert (run.card()["arguments"]["attributed"], run.card()["arguments"]["with_sources"]) == (1, 1)
