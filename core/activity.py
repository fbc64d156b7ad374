"""What a person did in a store that another service reacts to: joined it, enrolled in a course,
completed a lesson.

The service where it happened (identity, courses) writes one row per happening, in the transaction
that made it, unique by its kind and a reference (a membership, an enrollment and its start, a
progress row), so writing it again changes nothing. The mail service collects unhandled rows
(`handled_at` empty) to send the welcome and enrollment mail, start and wake workflows and note the
contact's last activity, each row once, as it does for commerce's order events.
It lives in `core` because `core` and `courses` write it and `mail`, a sibling, reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.ids import new_id

KINDS = ("joined", "enrollment", "lesson_completed")


class ActivityEvent(Base):
    __tablename__ = "activity_events"
    __table_args__ = (
        UniqueConstraint("kind", "ref"),
        Index("ix_activity_events_unhandled", "handled_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("act"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    ref: Mapped[str] = mapped_column(String(160))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def record(session: Session, store_id: str, user_id: str, kind: str, ref: str, **data: Any) -> None:
    """Note that it happened (once per kind and ref, however often this is called)."""
    if kind not in KINDS:
        raise ValueError(f"unknown activity {kind!r}")
    if session.scalar(select(ActivityEvent.id).where(ActivityEvent.kind == kind, ActivityEvent.ref == ref)):
        return
    try:
        with session.begin_nested():
            session.add(ActivityEvent(store_id=store_id, user_id=user_id, kind=kind, ref=ref[:160], data=data))
            session.flush()
    except IntegrityError:
        pass  # the same happening, recorded by a concurrent request
