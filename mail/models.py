"""Mail tables: the send queue (one row per recipient message) and the addresses nobody may mail.

A message row is the whole message (rendered when queued, so a template edited later never changes
what was promised), with its store, kind and priority (transactional before workflow before
broadcast), and an idempotency key that is unique: whatever asks to send the same thing twice (a
retried job, a duplicated event) finds the first row. It is `queued` until a pump claims it
(`sending`, with a lease), `sent` only once the provider accepted it, `queued` again with a later
`next_attempt_at` when the provider said try later, `failed` when it refused for good, `suppressed`
when its address may not be mailed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.ids import new_id

ID = String(40)
KINDS = {"transactional": 0, "workflow": 1, "broadcast": 2}  # kind -> priority (lower goes first)


class MailMessage(Base):
    __tablename__ = "mail_messages"
    __table_args__ = (
        Index("ix_mail_messages_due", "status", "next_attempt_at"),
        Index("ix_mail_messages_store_due", "store_id", "status", "priority", "next_attempt_at"),
        Index("ix_mail_messages_sent", "status", "sent_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("msg"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    broadcast_id: Mapped[str | None] = mapped_column(ForeignKey("mail_broadcasts.id", ondelete="CASCADE"), index=True)
    to_email: Mapped[str] = mapped_column(String(320))
    from_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # `Attachment.stored()`
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(40))  # which pump holds it while `sending`
    provider: Mapped[str] = mapped_column(String(16), default="")
    provider_message_id: Mapped[str] = mapped_column(String(200), default="")
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the provider told us after (its webhooks): first delivery, open, click; a bounce; a complaint.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bounce: Mapped[str] = mapped_column(String(8), default="")  # "", hard, soft
    complained_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Suppression(Base):
    """An address no mail of the store goes to (a hard bounce, a complaint), or, with `marketing`
    only, none of its marketing (an unsubscribe). Transactional mail ignores marketing consent, never
    a bounce or a complaint."""

    __tablename__ = "mail_suppressions"
    __table_args__ = (UniqueConstraint("store_id", "email"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("sup"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(24))  # hard_bounce, soft_bounces, complaint, unsubscribed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailWebhookEvent(Base):
    """A provider's webhook as it arrived, stored once by its id (`svix-id`) in the transaction that
    acts on it, so a redelivery changes nothing."""

    __tablename__ = "mail_webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("mwe"))
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(24))  # applied, unmatched (not our message), ignored
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Contact(Base):
    """Someone a store may write to, with their consent to marketing: `subscribed` (they said yes, with
    its source and time), `unsubscribed`, or `none` (a buyer or a learner: transactional mail only)."""

    __tablename__ = "mail_contacts"
    __table_args__ = (UniqueConstraint("store_id", "email"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("con"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="none")
    source: Mapped[str] = mapped_column(String(24), default="api")  # api, import, purchase, signup, form
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)  # the store's topics they want
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MailTemplate(Base):
    """A creator's template: a subject and a body (MJML or HTML) in sandboxed Jinja2."""

    __tablename__ = "mail_templates"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("tpl"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MailSegment(Base):
    """A named audience rule (`mail.rules`), evaluated in SQL whenever it is used: a segment is who
    matches now, not a list frozen when it was made."""

    __tablename__ = "mail_segments"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("seg"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MailBroadcast(Base):
    """One message to an audience (subscribed contacts; of a segment, or with any of `tags`, when given): `draft`,
    `scheduled` (from `scheduled_at`), `sending` (fanned out in batches past `cursor`, the last contact
    id queued), `sent` (every recipient queued), or `cancelled`."""

    __tablename__ = "mail_broadcasts"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("bct"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[str] = mapped_column(ForeignKey("mail_templates.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    segment_id: Mapped[str | None] = mapped_column(ForeignKey("mail_segments.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cursor: Mapped[str] = mapped_column(String(40), default="")
    queued: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MailPause(Base):
    """A store held from marketing sends because its mail is hurting deliverability (`mail.deliverability`):
    live while `lifted_at` is empty; the rates that caused it are kept for the notice."""

    __tablename__ = "mail_pauses"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("mps"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    sent: Mapped[int] = mapped_column(Integer)
    bounce_rate: Mapped[float] = mapped_column(Float)
    complaint_rate: Mapped[float] = mapped_column(Float)
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailTopic(Base):
    """Something a store writes about (news, releases, offers): contacts choose theirs on the sign-up
    form and the preferences page, and a segment's `topic` rule reaches those who chose it."""

    __tablename__ = "mail_topics"
    __table_args__ = (UniqueConstraint("store_id", "key"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=lambda: new_id("top"))
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
