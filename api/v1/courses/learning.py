"""Enrollments and learner progress."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import Response
from pydantic import EmailStr, Field

from api.deps import DB, Caller, Context, Idem
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import CourseOut, Input, InvitationOut, Output, PageOut, invitation_out
from core.models import Invitation
from courses import enrollments

router = v1_router(tags=["learning"])


class EnrollmentCreate(Input):
    email: EmailStr
    source: Literal["grant", "import"] = "grant"

    model_config = {"json_schema_extra": {"examples": [{"email": "learner@demo.academy"}]}}


class EnrollmentOut(Output):
    id: str
    course_id: str
    user_id: str
    source: str
    granted_at: datetime
    revoked_at: datetime | None


class MyEnrollment(EnrollmentOut):
    course: CourseOut


class ProgressOut(Output):
    course_id: str
    completed_lesson_ids: list[str]
    completed: int
    available_lessons: int
    total_lessons: int
    percent: float
    next_lesson_id: str | None


class CompletionOut(Output):
    lesson_id: str
    completed_at: datetime


class GrantOut(Output):
    status: Literal["enrolled", "invited"] = Field(
        description="`enrolled`: a member of the store, enrolled now; `invited`: they accept through `invitation.link`."
    )
    enrollment: EnrollmentOut | None = None
    invitation: InvitationOut | None = None


@router.post(
    "/courses/{course_id}/enrollments",
    status_code=201,
    response_model=GrantOut,
    summary="Grant access (members) or invite (anyone else)",
    description="A member of the store is enrolled at once. Anyone else gets an invitation to join the store "
    "and the course; the answer is the same whether or not the address has an account.",
)
def grant(
    course_id: str, body: EnrollmentCreate, caller: Caller, session: DB, idem: Idem, context: Context
) -> Response:
    def action() -> GrantOut:
        outcome = enrollments.grant_or_invite(session, caller, course_id, body.email, body.source)
        if isinstance(outcome, Invitation):
            return GrantOut(status="invited", invitation=invitation_out(context, outcome))
        return GrantOut(status="enrolled", enrollment=EnrollmentOut.model_validate(outcome))

    return idem.run(body, action)


@router.get("/courses/{course_id}/enrollments", response_model=PageOut[EnrollmentOut], summary="Who is enrolled")
def list_enrollments(
    course_id: str, caller: Caller, session: DB, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> PageOut[EnrollmentOut]:
    page = enrollments.list_enrollments(session, caller, course_id, cursor, limit)
    return PageOut[EnrollmentOut](
        data=[EnrollmentOut.model_validate(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.delete("/enrollments/{enrollment_id}", response_model=EnrollmentOut, summary="Revoke access")
def revoke(enrollment_id: str, caller: Caller, session: DB) -> EnrollmentOut:
    return EnrollmentOut.model_validate(enrollments.revoke_enrollment(session, caller, enrollment_id))


@router.post(
    "/courses/{course_id}/enroll",
    status_code=201,
    response_model=EnrollmentOut,
    summary="Enroll in a free course",
)
def self_enroll(course_id: str, caller: Caller, session: DB) -> EnrollmentOut:
    return EnrollmentOut.model_validate(enrollments.self_enroll(session, caller, course_id))


@router.get("/me/enrollments", response_model=list[MyEnrollment], summary="Courses I am enrolled in")
def my_enrollments(caller: Caller, session: DB) -> list[MyEnrollment]:
    return [
        MyEnrollment(**EnrollmentOut.model_validate(e).model_dump(), course=CourseOut.model_validate(c))
        for e, c in enrollments.my_enrollments(session, caller)
    ]


@router.get("/courses/{course_id}/progress", response_model=ProgressOut, summary="My progress in a course")
def progress(course_id: str, caller: Caller, session: DB) -> ProgressOut:
    p = enrollments.course_progress(session, caller, course_id)
    return ProgressOut(
        course_id=p.course_id,
        completed_lesson_ids=p.completed_lesson_ids,
        completed=len(p.completed_lesson_ids),
        available_lessons=p.available_lessons,
        total_lessons=p.total_lessons,
        percent=p.percent,
        next_lesson_id=p.next_lesson_id,
    )


@router.put("/lessons/{lesson_id}/completion", response_model=CompletionOut, summary="Mark a lesson complete")
def complete(lesson_id: str, caller: Caller, session: DB) -> CompletionOut:
    record = enrollments.complete_lesson(session, caller, lesson_id)
    return CompletionOut(lesson_id=record.lesson_id, completed_at=record.completed_at)


@router.delete("/lessons/{lesson_id}/completion", status_code=204, summary="Mark a lesson not complete")
def uncomplete(lesson_id: str, caller: Caller, session: DB) -> Response:
    enrollments.uncomplete_lesson(session, caller, lesson_id)
    return Response(status_code=204)
