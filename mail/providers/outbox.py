"""The embedded mail provider: it keeps every message it is given, in its own SQLite file in the data
dir (a separate system, as a mail service is), and the dev mailbox page shows them. Nothing leaves
the machine. Accepting the same queue id twice keeps one message: its idempotency key."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, String, Text, inspect, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db import Database, UTCDateTime, utcnow
from core.tenancy import in_store
from mail.providers.base import Outgoing, sender


class _OutboxBase(DeclarativeBase):
    """The outbox's own schema: not the platform's (no migration of ours)."""


class OutboxMessage(_OutboxBase):
    __tablename__ = "outbox_messages"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the queue row's id
    store_id: Mapped[str] = mapped_column(String(40), index=True)
    to_email: Mapped[str] = mapped_column(String(320), index=True)
    from_name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # `Attachment.stored()`
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


@lru_cache(maxsize=16)
def outbox_database(path: Path) -> Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{path}")
    _OutboxBase.metadata.create_all(db.engine)
    with db.engine.begin() as conn:  # an outbox made before attachments were kept gets their column
        if "attachments" not in {c["name"] for c in inspect(conn).get_columns("outbox_messages")}:
            conn.execute(text("ALTER TABLE outbox_messages ADD COLUMN attachments JSON DEFAULT '[]'"))
    return db


class OutboxProvider:
    name = "outbox"

    def __init__(self, data_dir: Path) -> None:
        self.db = outbox_database((data_dir / "outbox.sqlite").resolve())

    def send(self, message: Outgoing) -> str:
        with self.db.transaction() as s:
            if s.get(OutboxMessage, message.id) is None:
                s.add(OutboxMessage(
                    id=message.id, store_id=message.store_id, to_email=message.to_email,
                    from_name=sender(message),
                    subject=message.subject, html=message.html, text=message.text, headers=dict(message.headers),
                    attachments=[a.stored() for a in message.attachments],
                ))  # fmt: skip
        return f"outbox_{message.id}"

    def messages(
        self, store_id: str | None = None, to_email: str | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        """The newest first, of a store or to an address when given (the dev mailbox's list)."""
        query = select(OutboxMessage).order_by(OutboxMessage.received_at.desc(), OutboxMessage.id.desc())
        if store_id is not None:
            query = query.where(in_store(OutboxMessage, store_id))
        if to_email is not None:
            query = query.where(OutboxMessage.to_email == to_email)
        with self.db.transaction() as s:
            rows = list(s.scalars(query.limit(limit)))
            s.expunge_all()
            return rows

    def message(self, message_id: str) -> OutboxMessage | None:
        with self.db.transaction() as s:
            row = s.get(OutboxMessage, message_id)
            if row is not None:
                s.expunge(row)
            return row
