"""Transactional mail from learners' activity: a welcome when someone joins a store, and a note when
they are enrolled in a course (a grant, a purchase, a workflow's action), each sent once per event
(its idempotency key is the event's id). Learners get these whatever their marketing consent; a
hard-bounced or complaining address gets nothing."""

from __future__ import annotations

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from core.activity import ActivityEvent
from core.models import Store, User
from core.settings import Settings
from mail.letters import compose
from mail.queue import enqueue

COURSES = table("courses", column("id"), column("title"))


def send_for(session: Session, settings: Settings, event: ActivityEvent, store: Store, user: User) -> None:
    """Queue the mail this event calls for (none for a completed lesson: workflows decide that)."""
    base = settings.public_base_url.rstrip("/")
    first = user.name.split()[0] if user.name.strip() else "there"
    if event.kind == "joined":
        letter = compose(store, f"Welcome to {store.name}", [f"Hi {first}, welcome to {store.name}.",
                         "Your courses, orders and receipts are one click away."],
                         f"{base}/s/{store.slug}", f"Visit {store.name}")  # fmt: skip
    elif event.kind == "enrollment":
        title = session.scalar(select(COURSES.c.title).where(COURSES.c.id == event.data.get("course_id")))
        if title is None:
            return
        letter = compose(store, f"You are enrolled in {title}", [
            f"Hi {first}, you now have access to {title} at {store.name}.",
            "Ask the course assistant anything about its lessons as you go.",
        ], f"{base}/", "Start learning")  # fmt: skip
    else:
        return
    enqueue(session, store.id, "transactional", user.email, letter.subject, letter.html, letter.text,
            f"activity:{event.id}", from_name=store.name)  # fmt: skip
