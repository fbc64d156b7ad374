"""Identity and tenancy tables: users, stores (the tenant), memberships, API keys, idempotency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.ids import new_id

ID = String(40)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("usr"))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The store a plain log-in binds to when the user belongs to several (the one they used last).
    last_store_id: Mapped[str | None] = mapped_column(ForeignKey("stores.id", ondelete="SET NULL", use_alter=True))


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("sto"))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    plan: Mapped[str] = mapped_column(String(32), default="free")
    brand: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # `core.branding`: colours, logo
    export_webhook_url: Mapped[str | None] = mapped_column(String(500))  # `core.export_hooks`: exports go here
    export_webhook_secret: Mapped[str | None] = mapped_column(String(64))  # whsec_…, signs them
    # `core.return_urls`: the store's own sites, where a checkout may send a learner back to
    site_domains: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoreMember(Base):
    """A user's role in one store: `owner` and `staff` run it, `learner` is a customer of it."""

    __tablename__ = "store_members"
    __table_args__ = (UniqueConstraint("store_id", "user_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("mem"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Base):
    """A store-bound credential. Only `prefix` and a hash of the whole key are kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("key"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(Base):
    """One log-in. A session token names its row, so logging out (or changing the password, which
    ends them all) revokes the token before it would expire."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user", "user_id", "revoked_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("ses"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Invitation(Base):
    """An offer to join a store (as staff or a learner, optionally enrolled in one course) that the
    person accepts through a signed, expiring link. Nothing about them reaches the store before."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_store_email", "store_id", "email"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("inv"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    course_id: Mapped[str | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    invited_by: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | accepted | revoked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set once mail delivers the link


class IdempotencyRecord(Base):
    """The stored answer to a creating write, so a retried request gets the same answer."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("owner", "key"), Index("ix_idempotency_created", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
