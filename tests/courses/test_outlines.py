"""Course outlines: what an outline may hold, and the draft course made from one, whole or not at all."""

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from core.db import Database
from core.errors import Forbidden
from courses import catalog
from courses.models import Course, Lesson, Module
from courses.outlines import CourseOutline, create_from_outline
from tests.conftest import StoreWorld, principal_of
from tests.courses.outline_factory import outline


def test_an_outline_becomes_a_draft_course_with_its_modules_and_lessons(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as session:
        built = create_from_outline(session, store_a.owner, CourseOutline.model_validate(outline(2, 3)))
        assert built.course.status == "draft" and built.course.slug == "mixing-vocals"
        assert [m.title for m in built.modules] == ["Module 1", "Module 2"]
        assert [lesson.title for lesson in built.lessons[1]] == ["Lesson 2.1", "Lesson 2.2", "Lesson 2.3"]
        assert "Do step 1.1" in built.lessons[0][0].body_md  # a lesson is never empty before it is written


def test_a_taken_slug_gets_a_number(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as session:
        first = create_from_outline(session, store_a.owner, CourseOutline.model_validate(outline()))
        second = create_from_outline(session, store_a.owner, CourseOutline.model_validate(outline()))
        assert (first.course.slug, second.course.slug) == ("mixing-vocals", "mixing-vocals-2")


def test_a_failure_midway_leaves_no_course_behind(
    db: Database, store_a: StoreWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, made = catalog.create_lesson, []

    def failing(*args, **kwargs):  # the third lesson fails
        made.append(1)
        if len(made) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(catalog, "create_lesson", failing)
    with pytest.raises(RuntimeError), db.transaction() as session:
        create_from_outline(session, store_a.owner, CourseOutline.model_validate(outline(2, 2)))
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Course).where(Course.slug == "mixing-vocals")) == 0
        assert session.scalar(select(func.count()).select_from(Module).where(Module.title == "Module 1")) == 0
        assert session.scalar(select(func.count()).select_from(Lesson).where(Lesson.title == "Lesson 1.1")) == 0


def test_a_learner_may_not_create_a_course_from_an_outline(db: Database, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with pytest.raises(Forbidden), db.transaction() as session:
        create_from_outline(session, learner, CourseOutline.model_validate(outline()))


@pytest.mark.parametrize(
    ("broken", "says"),
    [
        (outline(module_count=0), "modules"),
        (outline(lesson_count=0), "lessons"),
        (outline(module_count=13), "modules"),
        (outline(title="   "), "title"),
        (outline(level="expert"), "level"),
        (
            outline(
                modules=[
                    {"title": "A", "lessons": [{"title": "Same", "objectives": ["x"]}]},
                    {"title": "B", "lessons": [{"title": "same", "objectives": ["y"]}]},
                ]
            ),
            "two lessons are titled",
        ),
        (outline(modules=[{"title": "A", "lessons": [{"title": "One", "objectives": []}]}]), "objectives"),
        (outline(extra="field"), "extra"),
    ],
)
def test_an_outline_that_breaks_the_structure_is_refused(broken: dict, says: str) -> None:
    with pytest.raises(ValidationError) as raised:
        CourseOutline.model_validate(broken)
    assert says in str(raised.value)
