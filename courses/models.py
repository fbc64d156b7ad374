"""Course tables. Every row carries `store_id`, and every query filters by it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.ids import new_id
from core.models import ID

STORE_FK = "stores.id"


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("store_id", "slug"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("crs"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    attribution: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    is_free: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Module(Base):
    __tablename__ = "course_modules"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("mod"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Lesson(Base):
    __tablename__ = "lessons"
    __table_args__ = (Index("ix_lessons_course_module_position", "course_id", "module_id", "position"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("lsn"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(ForeignKey("course_modules.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    section: Mapped[str | None] = mapped_column(String(300))
    body_md: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="published")
    is_preview: Mapped[bool] = mapped_column(Boolean, default=False)
    drip_days: Mapped[int] = mapped_column(Integer, default=0)
    source_ref: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Enrollment(Base):
    """A learner's access to a course, from a grant, a self-enrollment or (later) a purchase."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("enr"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(32), default="grant")
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("prg"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LessonUnlock(Base):
    """A drip lesson that became available to one enrollment; written once by the drip job so
    that later work (notification email, the agent) can act on each unlock exactly once."""

    __tablename__ = "lesson_unlocks"
    __table_args__ = (UniqueConstraint("enrollment_id", "lesson_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("unl"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"), index=True)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    unlocked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Artifact(Base):
    """One version of something an agent made for a store (a cheat-sheet PDF, an outline): the row
    says what and whose, the file lives in the object store under `object_key`. Versions of one
    course's kind count up; an identical regeneration is the same version, not a new one."""

    __tablename__ = "artifacts"
    __table_args__ = (
        # Versions count per course and kind, or, for a lesson's artifact (its narration), per lesson.
        Index(
            "uq_artifacts_course_version", "store_id", "course_id", "kind", "version", unique=True,
            sqlite_where=text("lesson_id IS NULL"), postgresql_where=text("lesson_id IS NULL"),
        ),
        Index(
            "uq_artifacts_lesson_version", "store_id", "lesson_id", "kind", "version", unique=True,
            sqlite_where=text("lesson_id IS NOT NULL"), postgresql_where=text("lesson_id IS NOT NULL"),
        ),
        Index("ix_artifacts_store_course_kind", "store_id", "course_id", "kind"),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("art"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"))
    course_id: Mapped[str | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    lesson_id: Mapped[str | None] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    object_key: Mapped[str] = mapped_column(String(500))
    source_fingerprint: Mapped[str | None] = mapped_column(String(64))
    run_id: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CourseQuestion(Base):
    """A question a learner asked the course assistant about a course, and whether the answer cited
    the course: the raw material of the content-gap report (what learners ask that the course does
    not answer). Kept per store; the creator sees the text, never who asked."""

    __tablename__ = "course_questions"
    __table_args__ = (Index("ix_course_questions_course_answered", "store_id", "course_id", "answered", "created_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("qst"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(String(500))
    answered: Mapped[bool] = mapped_column(Boolean)
    passages: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StyleNote(Base):
    """A creator's style, learned from what they changed in drafts they accepted ("keep lessons
    under 300 words"), per kind of draft; the creator agents read the newest few before drafting."""

    __tablename__ = "style_notes"
    __table_args__ = (UniqueConstraint("store_id", "user_id", "kind", "note"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("sty"))
    store_id: Mapped[str] = mapped_column(ForeignKey(STORE_FK, ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(32))  # outline | lesson | study_document
    note: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
