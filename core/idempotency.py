"""Idempotency keys for creating writes: the first answer is stored in the same transaction as the
write, and a retry with the same key and the same request gets that answer back unchanged."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import invalid
from core.models import IdempotencyRecord

MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise invalid("Idempotency-Key", f"must be 1-{MAX_KEY_LENGTH} printable characters")
    return key


def lookup(session: Session, owner: str, key: str, request_fingerprint: str) -> StoredResponse | None:
    record = session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.owner == owner, IdempotencyRecord.key == key)
    )
    if record is None or record.created_at < utcnow() - RETENTION:
        return None
    if record.fingerprint != request_fingerprint:
        raise invalid("Idempotency-Key", "this key was already used for a different request")
    return StoredResponse(record.status_code, record.body)


def remember(session: Session, owner: str, key: str, request_fingerprint: str, status_code: int, body: str) -> None:
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.owner == owner,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at < utcnow() - RETENTION,
        )
    )
    session.add(
        IdempotencyRecord(owner=owner, key=key, fingerprint=request_fingerprint, status_code=status_code, body=body)
    )
    session.flush()


def complete(session: Session, owner: str, key: str, body: str) -> None:
    """Fill in the answer of a key claimed earlier in the same transaction."""
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.owner == owner, IdempotencyRecord.key == key)
        .values(body=body)
    )


def purge_expired(session: Session) -> int:
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - RETENTION))
    return int(getattr(result, "rowcount", 0) or 0)
