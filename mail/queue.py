"""The send queue: exactly once per idempotency key, fair across stores, sent only when accepted.

- **Enqueue** writes the whole message under a unique key (an order event's id, a broadcast and a
  contact, ...): asking twice finds the first row. An address the store may not mail is queued as
  `suppressed` and never sent (checked again at send: a bounce may arrive in between).
- **Claim**, a round: every store with mail due gets up to `mail_batch_per_store` of its most urgent
  messages (transactional before workflow before broadcast, then oldest), stores with the most urgent
  mail first and in random order among equals, so a store with 100,000 broadcast messages queued
  holds back another store's receipt by one round at most. A claim is a conditional update
  (`status = 'queued'` → `sending` with this pump's id), so two pumps never take the same row; on
  PostgreSQL the candidates are read `FOR UPDATE SKIP LOCKED`, so pumps do not wait on each other.
- **Send**: `sent` only once the provider accepted it; `TryLater` (throttled, 429, 5xx, a network
  error) puts it back with exponential backoff or the provider's `retry_after`, `Refused` fails it.
  Each outcome is its own transaction. A pump that dies mid-round leaves rows `sending`; after the
  lease they are queued again and sent with the same idempotency key, which the provider honours."""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import Database, utcnow
from core.errors import invalid
from core.ids import new_id
from core.tenancy import in_store, select_in_store
from mail.buckets import UNLIMITED, Limits
from mail.models import KINDS, MailMessage, MailPause, Suppression
from mail.providers.base import Attachment, MailProvider, Outgoing, Refused, TryLater

log = logging.getLogger("academy.mail")
ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
LEASE = timedelta(minutes=5)
BACKOFF_SECONDS = (30, 120, 600, 1800, 7200, 21600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
MAX_STORES_PER_ROUND = 100
ALWAYS_SUPPRESSED = ("hard_bounce", "soft_bounces", "complaint")  # even transactional mail stops here


def address(value: str, field: str = "to_email") -> str:
    """An email address as the queue keeps it (trimmed, lower-case), or a 422 naming the field."""
    cleaned = value.strip().lower()
    if len(cleaned) > 320 or not ADDRESS.match(cleaned):
        raise invalid(field, f"{value[:80]!r} is not an email address")
    return cleaned


def suppressed(session: Session, store_id: str, email: str, kind: str) -> str | None:
    """Why the store may not send this kind of mail to this address, or None."""
    reason = session.scalar(
        select(Suppression.reason).where(in_store(Suppression, store_id), Suppression.email == email)
    )
    if reason is None or (kind == "transactional" and reason not in ALWAYS_SUPPRESSED):
        return None
    return reason


def suppress(session: Session, store_id: str, email: str, reason: str) -> None:
    """No more mail of that kind to this address from the store. Idempotent; a reason that stops all
    mail (a bounce, a complaint) replaces one that stopped only marketing (an unsubscribe)."""
    found = session.scalar(select_in_store(Suppression, store_id).where(Suppression.email == email))
    if found is not None:
        if reason in ALWAYS_SUPPRESSED and found.reason not in ALWAYS_SUPPRESSED:
            found.reason = reason
        return
    try:
        with session.begin_nested():
            session.add(Suppression(store_id=store_id, email=email, reason=reason))
            session.flush()
    except IntegrityError:
        pass  # suppressed by a concurrent event: the same outcome


def enqueue(
    session: Session,
    store_id: str,
    kind: str,
    to_email: str,
    subject: str,
    html: str,
    text: str,
    idempotency_key: str,
    from_name: str = "",
    headers: dict[str, str] | None = None,
    broadcast_id: str | None = None,
    attachments: list[Attachment] | None = None,
) -> MailMessage:
    """The message under this key: made now, or the one made before (never a second)."""
    if kind not in KINDS:
        raise invalid("kind", f"must be one of {', '.join(KINDS)}")
    if kind != "transactional" and "List-Unsubscribe" not in (headers or {}):
        raise ValueError("marketing mail carries its unsubscribe link (contacts.unsubscribe_headers)")
    found = session.scalar(select(MailMessage).where(MailMessage.idempotency_key == idempotency_key))
    if found is not None:
        return found
    email = address(to_email)
    why = suppressed(session, store_id, email, kind)
    message = MailMessage(
        store_id=store_id, kind=kind, priority=KINDS[kind], idempotency_key=idempotency_key, to_email=email,
        from_name=from_name[:200], subject=subject[:300], html=html, text=text, headers=dict(headers or {}),
        status="suppressed" if why else "queued", last_error=f"suppressed: {why}" if why else "",
        broadcast_id=broadcast_id, attachments=[a.stored() for a in attachments or []],
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:  # the same key, queued by someone else between our read and our insert
        return session.scalars(select(MailMessage).where(MailMessage.idempotency_key == idempotency_key)).one()
    return message


def paused_stores(session: Session) -> set[str]:
    """Stores whose marketing mail is held (`mail.deliverability`)."""
    return set(session.scalars(select(MailPause.store_id).where(MailPause.lifted_at.is_(None))))


def release_stale(db: Database, now: datetime | None = None) -> int:
    """Queue again what a pump claimed and never finished (it died): after the lease."""
    now = now or utcnow()
    with db.transaction() as s:
        result = s.execute(
            update(MailMessage)
            .where(MailMessage.status == "sending", MailMessage.claimed_at < now - LEASE)
            .values(status="queued", claim=None, claimed_at=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def claim(db: Database, per_store: int, now: datetime | None = None, limits: Limits = UNLIMITED) -> list[MailMessage]:
    """One fair round of due messages, marked `sending` for this caller alone: each store's share,
    held to its token bucket and the deployment's; a paused store's marketing mail stays queued."""
    now = now or utcnow()
    token = new_id("clm")
    due = (MailMessage.status == "queued", MailMessage.next_attempt_at <= now)
    with db.transaction() as s:
        paused = paused_stores(s)
        stores = s.execute(
            select(MailMessage.store_id, func.min(MailMessage.priority)).where(*due).group_by(MailMessage.store_id)
        ).all()
        order = sorted(stores, key=lambda row: (row[1], random.random()))[:MAX_STORES_PER_ROUND]
        postgres = s.get_bind().dialect.name == "postgresql"
        for store_id, _ in order:
            query = (
                select(MailMessage.id)
                .where(in_store(MailMessage, store_id), *due)
                .order_by(MailMessage.priority, MailMessage.created_at, MailMessage.id)
                .limit(per_store)
            )
            if store_id in paused:
                query = query.where(MailMessage.priority == KINDS["transactional"])
            ids = list(s.scalars(query.with_for_update(skip_locked=True) if postgres else query))
            ids = ids[: limits.grant(store_id, len(ids))] if ids else ids
            s.execute(
                update(MailMessage)
                .where(MailMessage.id.in_(ids), MailMessage.status == "queued")
                .values(status="sending", claim=token, claimed_at=now)
            )
        rows = list(s.scalars(select(MailMessage).where(MailMessage.claim == token, MailMessage.status == "sending")))
        s.expunge_all()
    return sorted(rows, key=lambda m: (m.priority, m.created_at))


@dataclass
class Outcome:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0
    more: bool = False  # the pass stopped at its round limit with mail still due

    def add(self, other: Outcome) -> None:
        self.sent, self.retried = self.sent + other.sent, self.retried + other.retried
        self.failed, self.suppressed = self.failed + other.failed, self.suppressed + other.suppressed


def _finish(db: Database, message: MailMessage, **values: object) -> None:
    with db.transaction() as s:
        s.execute(
            update(MailMessage)
            .where(MailMessage.id == message.id, MailMessage.claim == message.claim, MailMessage.status == "sending")
            .values(claim=None, **values)
        )


def send_claimed(db: Database, provider: MailProvider, messages: list[MailMessage], from_address: str) -> Outcome:
    outcome = Outcome()
    for message in messages:
        with db.transaction() as s:
            why = suppressed(s, message.store_id, message.to_email, message.kind)
        if why:
            _finish(db, message, status="suppressed", last_error=f"suppressed: {why}")
            outcome.suppressed += 1
            continue
        outgoing = Outgoing(
            message.id, message.store_id, message.to_email, message.from_name, from_address, message.subject,
            message.html, message.text, dict(message.headers),
            tuple(Attachment.load(a) for a in message.attachments or []),
        )  # fmt: skip
        attempts = message.attempts + 1
        try:
            provider_id = provider.send(outgoing)
        except Refused as exc:
            _finish(db, message, status="failed", attempts=attempts, last_error=str(exc)[:500])
            outcome.failed += 1
        except Exception as exc:  # TryLater, or a network error: not sent, never counted as sent
            retry_after = exc.retry_after if isinstance(exc, TryLater) else None
            if attempts >= MAX_ATTEMPTS:
                _finish(db, message, status="failed", attempts=attempts, last_error=f"gave up: {exc}"[:500])
                outcome.failed += 1
                continue
            delay = retry_after if retry_after is not None else BACKOFF_SECONDS[attempts - 1]
            later = utcnow() + timedelta(seconds=delay)
            _finish(db, message, status="queued", attempts=attempts, next_attempt_at=later, last_error=str(exc)[:500])
            outcome.retried += 1
        else:
            _finish(db, message, status="sent", attempts=attempts, provider=provider.name,
                    provider_message_id=provider_id[:200], sent_at=utcnow(), last_error="")  # fmt: skip
            outcome.sent += 1
    return outcome
