"""Creator CRUD for courses, modules and lessons, and reading them (creators and learners)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import Response
from pydantic import Field

from api.deps import DB, Caller, Idem
from api.gate import Gated, gated
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import CourseOut, Input, Name, Output, PageOut, Patch, Title
from courses import catalog
from ingestion.jobs import request_index

router = v1_router(tags=["courses"])

Status = Literal["draft", "published"]


class CourseCreate(Input):
    slug: str = Field(min_length=1, max_length=64)
    title: Name = Title
    description: str = Field(default="", max_length=20_000)
    attribution: str = Field(default="", max_length=5_000)
    is_free: bool = False

    model_config = {
        "json_schema_extra": {
            "examples": [{"slug": "mixing-101", "title": "Mixing 101", "description": "EQ, compression, space."}]
        }
    }


class CourseUpdate(Patch):
    slug: str | None = Field(default=None, min_length=1, max_length=64)
    title: Name | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    attribution: str | None = Field(default=None, max_length=5_000)
    is_free: bool | None = None
    status: Status | None = None


class ModuleCreate(Input):
    title: Name = Title


class ModuleOut(Output):
    id: str
    course_id: str
    title: str
    position: int


class Order(Input):
    ids: list[str] = Field(min_length=1, max_length=2000, description="Every child id, in the new order.")


class LessonCreate(Input):
    title: Name = Title
    body_md: str = Field(default="", max_length=500_000)
    is_preview: bool = False
    drip_days: int = Field(default=0, ge=0, le=3650)
    status: Status = "published"
    section: Name | None = Field(default=None, max_length=300)

    model_config = {
        "json_schema_extra": {
            "examples": [{"title": "Gain staging", "body_md": "# Gain staging\n...", "is_preview": True}]
        }
    }


class LessonUpdate(Patch):
    NULLABLE = frozenset({"section"})  # a lesson may leave its section

    title: Name | None = Field(default=None, min_length=1, max_length=300)
    body_md: str | None = Field(default=None, max_length=500_000)
    is_preview: bool | None = None
    drip_days: int | None = Field(default=None, ge=0, le=3650)
    status: Status | None = None
    section: Name | None = Field(default=None, max_length=300)
    module_id: str | None = None


class LessonSummary(Output):
    id: str
    course_id: str
    module_id: str
    title: str
    section: str | None
    position: int
    status: str
    is_preview: bool
    drip_days: int


class LessonOut(LessonSummary):
    body_md: str
    updated_at: datetime


class OutlineLesson(LessonSummary):
    accessible: bool
    locked_reason: str | None
    unlocks_at: datetime | None


class OutlineModule(ModuleOut):
    lessons: list[OutlineLesson]


class OutlineOut(Output):
    course: CourseOut
    modules: list[OutlineModule]


def _changes(body: Input) -> dict[str, object]:
    return body.model_dump(exclude_unset=True)


def _index(session: DB, store_id: str, course_id: str, source_ids: list[str] | None = None) -> None:
    """Keep the search index in step with a change (runs as a job after the commit)."""
    request_index(session, store_id, course_id, source_ids, reason="content-change")


# --- courses -------------------------------------------------------------------------------


@router.get("/courses", response_model=PageOut[CourseOut], summary="Courses of the store")
def list_courses(
    caller: Caller, session: DB, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> PageOut[CourseOut]:
    page = catalog.list_courses(session, caller, cursor, limit)
    return PageOut[CourseOut](data=[CourseOut.model_validate(c) for c in page.items], next_cursor=page.next_cursor)


@router.post("/courses", status_code=201, response_model=CourseOut, summary="Create a draft course")
def create_course(body: CourseCreate, caller: Caller, session: DB, idem: Idem) -> Response:
    return idem.run(body, lambda: CourseOut.model_validate(catalog.create_course(session, caller, **body.model_dump())))


@router.get("/courses/{course_id}", response_model=CourseOut, summary="One course")
def get_course(course_id: str, caller: Caller, session: DB) -> CourseOut:
    return CourseOut.model_validate(catalog.readable_course(session, caller, course_id))


@router.get("/courses/by-slug/{slug}", response_model=CourseOut, summary="One course, by its slug")
def get_course_by_slug(slug: str, caller: Caller, session: DB) -> CourseOut:
    return CourseOut.model_validate(catalog.course_by_slug(session, caller, slug))


@router.patch("/courses/{course_id}", response_model=CourseOut, summary="Edit a course")
def update_course(course_id: str, body: CourseUpdate, caller: Caller, session: DB) -> CourseOut:
    course = catalog.update_course(session, caller, course_id, _changes(body))
    _index(session, course.store_id, course.id)
    return CourseOut.model_validate(course)


@router.delete("/courses/{course_id}", status_code=204, summary="Delete a course and everything in it")
def delete_course(course_id: str, caller: Caller, session: DB) -> Response:
    catalog.delete_course(session, caller, course_id)
    _index(session, caller.require_store(), course_id)
    return Response(status_code=204)


def _set_published(course_id: str, published: bool, caller: Caller, session: DB, gate: Gated) -> Any:
    arguments = {"course_id": course_id, "published": published}
    if (pending := gate.hold("publish_course", arguments)) is not None:
        return pending
    course = catalog.publish_course(session, caller, course_id, published)
    _index(session, course.store_id, course.id)
    out = CourseOut.model_validate(course)
    gate.done(session, "publish_course", arguments, out.model_dump(mode="json"))
    return out


@router.post(
    "/courses/{course_id}/publish", response_model=CourseOut, summary="Publish a course", **gated("publish_course")
)
def publish_course(course_id: str, caller: Caller, session: DB, gate: Gated) -> Any:
    return _set_published(course_id, True, caller, session, gate)


@router.post(
    "/courses/{course_id}/unpublish",
    response_model=CourseOut,
    summary="Take a course back to draft",
    **gated("publish_course"),
)
def unpublish_course(course_id: str, caller: Caller, session: DB, gate: Gated) -> Any:
    return _set_published(course_id, False, caller, session, gate)


@router.get("/courses/{course_id}/outline", response_model=OutlineOut, summary="Modules and lessons, with access")
def course_outline(course_id: str, caller: Caller, session: DB) -> OutlineOut:
    course = catalog.readable_course(session, caller, course_id)
    modules = [
        OutlineModule(
            **ModuleOut.model_validate(item.module).model_dump(),
            lessons=[
                OutlineLesson(
                    **LessonSummary.model_validate(view.lesson).model_dump(),
                    accessible=view.access.visible,
                    locked_reason=view.access.reason,
                    unlocks_at=view.access.unlocks_at,
                )
                for view in item.lessons
            ],
        )
        for item in catalog.outline(session, caller, course_id)
    ]
    return OutlineOut(course=CourseOut.model_validate(course), modules=modules)


# --- modules -------------------------------------------------------------------------------


@router.get("/courses/{course_id}/modules", response_model=list[ModuleOut], summary="Modules in order")
def list_modules(course_id: str, caller: Caller, session: DB) -> list[ModuleOut]:
    return [ModuleOut.model_validate(m) for m in catalog.list_modules(session, caller, course_id)]


@router.post("/courses/{course_id}/modules", status_code=201, response_model=ModuleOut, summary="Add a module")
def create_module(course_id: str, body: ModuleCreate, caller: Caller, session: DB, idem: Idem) -> Response:
    return idem.run(
        body, lambda: ModuleOut.model_validate(catalog.create_module(session, caller, course_id, body.title))
    )


@router.put("/courses/{course_id}/modules/order", response_model=list[ModuleOut], summary="Reorder modules")
def reorder_modules(course_id: str, body: Order, caller: Caller, session: DB) -> list[ModuleOut]:
    return [ModuleOut.model_validate(m) for m in catalog.reorder_modules(session, caller, course_id, body.ids)]


@router.patch("/modules/{module_id}", response_model=ModuleOut, summary="Rename a module")
def update_module(module_id: str, body: ModuleCreate, caller: Caller, session: DB) -> ModuleOut:
    return ModuleOut.model_validate(catalog.update_module(session, caller, module_id, body.title))


@router.delete("/modules/{module_id}", status_code=204, summary="Delete a module and its lessons")
def delete_module(module_id: str, caller: Caller, session: DB) -> Response:
    module = catalog.delete_module(session, caller, module_id)
    _index(session, module.store_id, module.course_id)
    return Response(status_code=204)


# --- lessons -------------------------------------------------------------------------------


@router.get("/modules/{module_id}/lessons", response_model=list[LessonSummary], summary="Lessons of a module")
def list_lessons(module_id: str, caller: Caller, session: DB) -> list[LessonSummary]:
    return [LessonSummary.model_validate(x) for x in catalog.list_lessons(session, caller, module_id)]


@router.post("/modules/{module_id}/lessons", status_code=201, response_model=LessonOut, summary="Add a lesson")
def create_lesson(module_id: str, body: LessonCreate, caller: Caller, session: DB, idem: Idem) -> Response:
    return idem.run(
        body,
        lambda: LessonOut.model_validate(catalog.create_lesson(session, caller, module_id, **body.model_dump())),
    )


@router.put("/modules/{module_id}/lessons/order", response_model=list[LessonSummary], summary="Reorder lessons")
def reorder_lessons(module_id: str, body: Order, caller: Caller, session: DB) -> list[LessonSummary]:
    return [LessonSummary.model_validate(x) for x in catalog.reorder_lessons(session, caller, module_id, body.ids)]


@router.get("/lessons/{lesson_id}", response_model=LessonOut, summary="A lesson with its body (if accessible)")
def get_lesson(lesson_id: str, caller: Caller, session: DB) -> LessonOut:
    return LessonOut.model_validate(catalog.read_lesson(session, caller, lesson_id))


@router.patch("/lessons/{lesson_id}", response_model=LessonOut, summary="Edit, publish or move a lesson")
def update_lesson(lesson_id: str, body: LessonUpdate, caller: Caller, session: DB) -> LessonOut:
    lesson = catalog.update_lesson(session, caller, lesson_id, _changes(body))
    _index(session, lesson.store_id, lesson.course_id, [lesson.id])
    return LessonOut.model_validate(lesson)


@router.delete("/lessons/{lesson_id}", status_code=204, summary="Delete a lesson")
def delete_lesson(lesson_id: str, caller: Caller, session: DB) -> Response:
    lesson = catalog.delete_lesson(session, caller, lesson_id)
    _index(session, lesson.store_id, lesson.course_id, [lesson.id])
    return Response(status_code=204)
