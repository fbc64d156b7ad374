"""Entitlements: the one record of what a customer holds and why.

A row says that a user holds a resource of a store (a course, a product) because of something: a
purchase (its order line), a bundle, a creator's grant, a free self-enrollment, an import. It has a
start, an optional end, and a status: `active`, `suspended` (a dispute is open) or `revoked` (a full
refund, a lost dispute, a creator taking it back).

It lives in `core` because two services write it and neither may import the other: `commerce`
grants what was paid for, `courses` grants what a creator gives, and `courses.access` reads it. A
service that keeps something in step with entitlements (the course service's enrollments) registers a
listener, called in the transaction that made the change, as `courses.changes` does for the index.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.ids import new_id
from core.tenancy import in_store

ID = String(40)
KINDS = ("course", "product")
SOURCES = ("purchase", "bundle", "grant", "self", "import")
STATUSES = ("active", "suspended", "revoked")


class Entitlement(Base):
    __tablename__ = "entitlements"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "resource_kind", "resource_id", "source", "source_ref", name="uq_entitlements_cause"
        ),
        Index("ix_entitlements_holder", "store_id", "user_id", "resource_kind", "resource_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("ent"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    resource_kind: Mapped[str] = mapped_column(String(16))
    resource_id: Mapped[str] = mapped_column(ID)
    source: Mapped[str] = mapped_column(String(16))
    # What gave it: an order line for a purchase, "" for a grant (one per holder and resource).
    source_ref: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    reason: Mapped[str] = mapped_column(String(200), default="")  # why it was last suspended or revoked
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def holds(self, now: datetime) -> bool:
        return self.status == "active" and self.starts_at <= now and (self.ends_at is None or self.ends_at > now)


Listener = Callable[[Session, Entitlement], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def _changed(session: Session, entitlement: Entitlement) -> None:
    session.flush()
    for listener in _listeners:
        listener(session, entitlement)


def grant(
    session: Session,
    store_id: str,
    user_id: str,
    resource_kind: str,
    resource_id: str,
    source: str,
    source_ref: str = "",
    ends_at: datetime | None = None,
) -> Entitlement:
    """Idempotent: granting what is already held by the same cause changes nothing; granting again
    what was revoked (a creator's grant after a refund) starts it anew."""
    if resource_kind not in KINDS or source not in SOURCES:
        raise ValueError(f"unknown entitlement {resource_kind!r} / {source!r}")
    row = session.scalar(
        select(Entitlement).where(
            Entitlement.user_id == user_id,
            Entitlement.resource_kind == resource_kind,
            Entitlement.resource_id == resource_id,
            Entitlement.source == source,
            Entitlement.source_ref == source_ref,
        )
    )
    if row is None:
        row = Entitlement(
            store_id=store_id,
            user_id=user_id,
            resource_kind=resource_kind,
            resource_id=resource_id,
            source=source,
            source_ref=source_ref,
            ends_at=ends_at,
        )
        session.add(row)
    elif row.status == "active":
        return row
    else:
        row.status, row.reason, row.starts_at, row.ends_at = "active", "", utcnow(), ends_at
    _changed(session, row)
    return row


def set_status(session: Session, row: Entitlement, status: str, reason: str) -> Entitlement:
    """Suspend, restore or revoke one entitlement; a revoked one stays revoked (a later grant makes
    it anew), so a late "dispute won" cannot restore what a refund took back."""
    if status not in STATUSES:
        raise ValueError(f"unknown entitlement status {status!r}")
    if row.status == status or row.status == "revoked":
        return row
    row.status, row.reason = status, reason[:200]
    _changed(session, row)
    return row


def by_cause(session: Session, source: str, source_ref: str) -> list[Entitlement]:
    """Everything one cause gave (an order line's course and, for a bundle, each of its parts)."""
    return list(
        session.scalars(
            select(Entitlement).where(Entitlement.source.in_(_family(source)), Entitlement.source_ref == source_ref)
        )
    )


def _family(source: str) -> tuple[str, ...]:
    return ("purchase", "bundle") if source in ("purchase", "bundle") else (source,)


def held(session: Session, store_id: str, user_id: str, resource_kind: str, resource_id: str) -> list[Entitlement]:
    """Every entitlement of one holder to one resource, whatever its status."""
    return list(
        session.scalars(
            select(Entitlement).where(
                in_store(Entitlement, store_id),
                Entitlement.user_id == user_id,
                Entitlement.resource_kind == resource_kind,
                Entitlement.resource_id == resource_id,
            )
        )
    )


def holds(session: Session, store_id: str, user_id: str, resource_kind: str, resource_id: str) -> bool:
    now = utcnow()
    return any(e.holds(now) for e in held(session, store_id, user_id, resource_kind, resource_id))
