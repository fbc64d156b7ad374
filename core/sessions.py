"""Log-in sessions: each session token names a `user_sessions` row, so a token stops working the
moment its session is revoked (log-out), or all of a user's are (a password change), not only when
its signature expires. Checking the row costs one primary-key read per request."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import Unauthorized
from core.models import UserSession


def open_session(session: Session, user_id: str, ttl_seconds: int) -> UserSession:
    now = utcnow()
    # Expired rows of this user are dropped as new ones are made, so the table stays small.
    session.execute(delete(UserSession).where(UserSession.user_id == user_id, UserSession.expires_at < now))
    row = UserSession(user_id=user_id, created_at=now, expires_at=now + timedelta(seconds=ttl_seconds))
    session.add(row)
    session.flush()
    return row


def check_session(session: Session, session_id: object, user_id: str) -> None:
    """A 401 unless the session exists, belongs to the user, and is neither revoked nor expired."""
    row = session.get(UserSession, session_id) if isinstance(session_id, str) else None
    if row is None or row.user_id != user_id:
        raise Unauthorized("this session is not valid; log in again")
    if row.revoked_at is not None:
        raise Unauthorized("this session has ended (logged out, or the password changed); log in again")
    if row.expires_at <= utcnow():
        raise Unauthorized("the session has expired; log in again")


def revoke_session(session: Session, session_id: str) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_all(session: Session, user_id: str) -> int:
    """End every session of the user (after a password change); returns how many were open."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
