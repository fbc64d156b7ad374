"""A course outline (modules → lessons with objectives) as a typed structure, and creating the draft
course it describes in one transaction, so a course is made whole or not at all.

The course builder proposes outlines, a creator edits them in the chat page's tree, and outside
agents send them over MCP; all three meet this one model, whose limits (counts, lengths, titles
unique) are what an edit may not break."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.principal import COURSES_WRITE, Principal
from core.tenancy import in_store
from courses import catalog
from courses.importer import slugify
from courses.models import Course, Lesson, Module

MAX_MODULES = 12
MAX_LESSONS = 12  # per module
Level = Literal["beginner", "intermediate", "advanced"]


def _clean(text: str) -> str:
    return " ".join(text.split())


class LessonPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=120)
    objectives: list[str] = Field(min_length=1, max_length=5, description="What a learner can do after it.")

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not _clean(value):
            raise ValueError("a lesson needs a title")
        return _clean(value)

    @field_validator("objectives")
    @classmethod
    def _objectives(cls, value: list[str]) -> list[str]:
        cleaned = [_clean(v) for v in value]
        if any(not v or len(v) > 200 for v in cleaned):
            raise ValueError("each objective is 1-200 characters")
        return cleaned


class ModulePlan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=120)
    lessons: list[LessonPlan] = Field(min_length=1, max_length=MAX_LESSONS)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not _clean(value):
            raise ValueError("a module needs a title")
        return _clean(value)


class CourseOutline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=600)
    audience: str = Field(default="", max_length=200)
    level: Level = "beginner"
    modules: list[ModulePlan] = Field(min_length=1, max_length=MAX_MODULES)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not _clean(value):
            raise ValueError("a course needs a title")
        return _clean(value)

    @model_validator(mode="after")
    def _unique_titles(self) -> CourseOutline:
        """Two lessons of one title would be one lesson to a learner (and to the course tools)."""
        seen: set[str] = set()
        for module in self.modules:
            for lesson in module.lessons:
                key = lesson.title.casefold()
                if key in seen:
                    raise ValueError(f"two lessons are titled '{lesson.title}'; give each lesson its own title")
                seen.add(key)
        modules = [m.title.casefold() for m in self.modules]
        if len(set(modules)) != len(modules):
            raise ValueError("two modules share a title; give each module its own title")
        return self

    def lessons(self) -> list[tuple[int, int, LessonPlan]]:
        return [(i, j, lesson) for i, m in enumerate(self.modules) for j, lesson in enumerate(m.lessons)]


def placeholder_body(lesson: LessonPlan) -> str:
    """A new lesson's text until it is written: its objectives, so it is never empty."""
    lines = [f"- {objective}" for objective in lesson.objectives]
    return "## In this lesson you will\n\n" + "\n".join(lines) + "\n"


@dataclass(frozen=True)
class CreatedCourse:
    course: Course
    modules: list[Module]
    lessons: list[list[Lesson]]  # per module, in order


def _free_slug(session: Session, store_id: str, title: str) -> str:
    base = slugify(title)[:56].strip("-") or "course"
    taken = set(session.scalars(select(Course.slug).where(in_store(Course, store_id), Course.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def create_from_outline(session: Session, principal: Principal, outline: CourseOutline) -> CreatedCourse:
    """The draft course, its modules and lessons (each lesson's text its objectives until written).
    The caller's transaction holds it all: any failure leaves nothing behind."""
    principal.require(COURSES_WRITE)
    slug = _free_slug(session, principal.require_store(), outline.title)
    course = catalog.create_course(session, principal, slug=slug, title=outline.title, description=outline.description)
    modules: list[Module] = []
    lessons: list[list[Lesson]] = []
    for plan in outline.modules:
        module = catalog.create_module(session, principal, course.id, plan.title)
        modules.append(module)
        lessons.append(
            [
                catalog.create_lesson(session, principal, module.id, title=item.title, body_md=placeholder_body(item))
                for item in plan.lessons
            ]
        )
    return CreatedCourse(course, modules, lessons)
