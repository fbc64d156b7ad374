"""Learners' activity (`core.activity`: joining a store, enrollments, completed lessons) taken in by
mail: each unhandled event makes its learner a contact (transactional mail only, unless they
subscribed), queues its welcome or enrollment mail, notes their last activity, and is told to
workflows, in one transaction with marking it handled,
so an event is acted on once however many pumps collect."""

from __future__ import annotations

from sqlalchemy import select

from core.activity import ActivityEvent
from core.db import Database, utcnow
from core.models import Store, User
from core.settings import Settings
from mail import contacts, welcome
from mail.workflows import signals

BATCH = 200


def collect(db: Database, settings: Settings, limit: int = BATCH) -> int:
    """Take in the oldest unhandled events; how many."""
    with db.transaction() as s:
        pending = list(s.scalars(
            select(ActivityEvent.id).where(ActivityEvent.handled_at.is_(None)).order_by(ActivityEvent.created_at)
            .limit(limit)
        ))  # fmt: skip
    for event_id in pending:
        with db.transaction() as s:
            event = s.get(ActivityEvent, event_id)
            if event is None or event.handled_at is not None:
                continue  # taken by another pump since we listed it
            user, store = s.get(User, event.user_id), s.get(Store, event.store_id)
            if user is not None and store is not None:
                welcome.send_for(s, settings, event, store, user)
                contact = contacts.upsert(s, event.store_id, user.email, user.name, "learner")
                contact.last_activity_at = max(contact.last_activity_at or event.created_at, event.created_at)
                course_id = event.data.get("course_id")
                signals.signal(s, contact, event.kind, event.id, utcnow(),
                               course_id=str(course_id) if course_id else None)  # fmt: skip
            event.handled_at = utcnow()
    return len(pending)
