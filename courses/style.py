"""Creators' style notes: short sentences learned from their edits, per kind of draft, newest first.
A note said again is refreshed, not repeated; each creator keeps at most `KEEP` per kind."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import invalid
from core.principal import COURSES_WRITE, Principal
from core.tenancy import in_store
from courses.models import StyleNote

KINDS = ("outline", "lesson", "study_document")
KEEP = 8


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise invalid("kind", f"choose one of {', '.join(KINDS)}")
    return kind


def notes(session: Session, principal: Principal, kind: str) -> list[str]:
    principal.require(COURSES_WRITE)
    rows = session.scalars(
        select(StyleNote.note)
        .where(in_store(StyleNote, principal), StyleNote.user_id == principal.user_id)
        .where(StyleNote.kind == _kind(kind))
        .order_by(StyleNote.updated_at.desc(), StyleNote.id.desc())
        .limit(KEEP)
    )
    return list(rows)


def remember(session: Session, principal: Principal, kind: str, said: list[str]) -> list[str]:
    """Add (or refresh) notes; the oldest beyond `KEEP` are dropped. Answers the notes now kept."""
    principal.require(COURSES_WRITE)
    store_id, kind = principal.require_store(), _kind(kind)
    mine = (in_store(StyleNote, store_id), StyleNote.user_id == principal.user_id, StyleNote.kind == kind)
    for note in dict.fromkeys(" ".join(n.split())[:300] for n in said if n.strip()):
        row = session.scalars(select(StyleNote).where(*mine, StyleNote.note == note)).first()
        if row is None:
            session.add(StyleNote(store_id=store_id, user_id=principal.user_id, kind=kind, note=note))
        else:
            row.updated_at = utcnow()
        session.flush()
    kept = session.scalars(select(StyleNote.id).where(*mine).order_by(StyleNote.updated_at.desc(), StyleNote.id.desc()))
    stale = list(kept)[KEEP:]
    if stale:
        session.execute(delete(StyleNote).where(StyleNote.id.in_(stale)))
    return notes(session, principal, kind)
