"""Broadcasts: one template to an audience, fanned out into the send queue in batches that resume.

A batch is one transaction: the next `BATCH` recipients past the cursor (contacts in id order),
each rendered and queued under `broadcast:{id}:{contact}`, and the cursor moved to the last of them.
A crash inside a batch rolls all of it back; a crash between batches leaves the cursor where the
last committed batch put it. Running again continues from there: no recipient twice (the cursor,
and the keys besides), none skipped (ids in order, the cursor moved only with its batch). The
audience is the store's `subscribed` contacts (of its segment and with any of `tags`, when given),
selected in SQL; an unsubscribe that comes while the broadcast is queued stops its message at send.
Cancelling stops what is not sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from core.db import Database, utcnow
from core.errors import Conflict, invalid
from core.models import Store
from core.pagination import Page, paginate
from core.principal import CONTACTS_READ, CONTACTS_WRITE, Principal
from core.settings import Settings
from core.tenancy import get_in_store, in_store, select_in_store
from mail import deliverability, segments
from mail.contacts import unsubscribe_headers
from mail.library import contact_data, context, get_template
from mail.models import Contact, MailBroadcast, MailMessage, MailTemplate
from mail.queue import enqueue
from mail.rules import GroupRule, TagRule
from mail.templates import render

BATCH = 500
LIVE = ("scheduled", "sending")


def audience(session: Session, broadcast: MailBroadcast) -> list[ColumnElement[bool]]:
    """Who a broadcast goes to, in SQL: the store's subscribed contacts, of its segment and with any
    of its tags when it names them."""
    parts = [in_store(Contact, broadcast.store_id), Contact.status == "subscribed"]
    if broadcast.tags:
        tags = GroupRule(rule="any", rules=[TagRule(rule="tag", tag=t) for t in broadcast.tags])
        parts.append(segments.where(session, tags))
    if broadcast.segment_id:
        parts.append(segments.where(session, segments.stored_rule(session, broadcast.segment_id)))
    return parts


def create_broadcast(session: Session, principal: Principal, name: str, template_id: str,
                     tags: list[str] | None = None, segment_id: str | None = None) -> MailBroadcast:  # fmt: skip
    principal.require(CONTACTS_WRITE)
    template = get_template(session, principal, template_id)
    if not name.strip():
        raise invalid("name", "a broadcast needs a name")
    if segment_id is not None:
        segments.get_segment(session, principal, segment_id)
    clean = sorted({t.strip()[:40] for t in tags or [] if t.strip()})
    broadcast = MailBroadcast(store_id=template.store_id, template_id=template.id, name=name.strip()[:200],
                              tags=clean, segment_id=segment_id)  # fmt: skip
    session.add(broadcast)
    session.flush()
    return broadcast


def audience_size(session: Session, broadcast: MailBroadcast) -> int:
    """How many subscribed contacts the broadcast would go to now."""
    return session.scalar(select(func.count(Contact.id)).where(*audience(session, broadcast))) or 0


def get_broadcast(session: Session, principal: Principal, broadcast_id: str) -> MailBroadcast:
    principal.require(CONTACTS_READ)
    broadcast = get_in_store(session, MailBroadcast, broadcast_id, principal, "broadcast")
    return broadcast


def list_broadcasts(session: Session, principal: Principal, cursor: str | None, limit: int) -> Page[MailBroadcast]:
    principal.require(CONTACTS_READ)
    query = select_in_store(MailBroadcast, principal)
    return paginate(session, query, MailBroadcast.id, cursor, limit)


def schedule(session: Session, principal: Principal, broadcast_id: str, at: datetime | None = None) -> MailBroadcast:
    """Send it (from `at`, default now). Only a draft is scheduled; asking again changes nothing."""
    principal.require(CONTACTS_WRITE)
    principal.require_attended("send", "sending a broadcast")
    broadcast = get_broadcast(session, principal, broadcast_id)
    if broadcast.status in LIVE or broadcast.status == "sent":
        return broadcast
    if broadcast.status != "draft":
        raise Conflict(f"this broadcast is {broadcast.status}: make a new one", extra={"reason": broadcast.status})
    deliverability.refuse_if_paused(session, broadcast.store_id)
    broadcast.status, broadcast.scheduled_at = "scheduled", at or utcnow()
    return broadcast


def cancel(session: Session, principal: Principal, broadcast_id: str) -> MailBroadcast:
    """Stop it: nothing more is queued, and what is queued and not yet sent is not sent."""
    principal.require(CONTACTS_WRITE)
    broadcast = get_broadcast(session, principal, broadcast_id)
    if broadcast.status == "sent" and not _unsent(session, broadcast.id):
        raise Conflict("this broadcast has been sent", extra={"reason": "sent"})
    broadcast.status = "cancelled"
    session.execute(
        update(MailMessage)
        .where(MailMessage.broadcast_id == broadcast.id, MailMessage.status == "queued")
        .values(status="cancelled", last_error="the broadcast was cancelled")
    )
    return broadcast


def _unsent(session: Session, broadcast_id: str) -> int:
    query = select(func.count(MailMessage.id)).where(
        MailMessage.broadcast_id == broadcast_id, MailMessage.status.in_(("queued", "sending"))
    )
    return session.scalar(query) or 0


def _held(session: Session, store_id: str) -> int:
    """The store's marketing mail queued and not sent yet."""
    return session.scalar(select(func.count(MailMessage.id)).where(
        in_store(MailMessage, store_id), MailMessage.status == "queued", MailMessage.kind != "transactional"
    )) or 0  # fmt: skip


def fan_out_batch(db: Database, settings: Settings, broadcast_id: str, batch: int = BATCH) -> int:
    """Queue the next batch of recipients in one transaction; how many (0: it is all queued, or the
    store holds its cap of queued marketing mail and the batch waits for a later pass)."""
    with db.transaction() as s:
        broadcast = s.get(MailBroadcast, broadcast_id, with_for_update=True)
        if broadcast is None or broadcast.status not in LIVE:
            return 0
        if _held(s, broadcast.store_id) + batch > settings.mail_max_queued_per_store:
            return 0
        if broadcast.status == "scheduled":
            broadcast.status, broadcast.started_at = "sending", utcnow()
        template = s.get(MailTemplate, broadcast.template_id)
        store = s.get(Store, broadcast.store_id)
        assert template is not None  # a template in use is never deleted (RESTRICT)
        assert store is not None
        query = select(Contact).where(*audience(s, broadcast), Contact.id > broadcast.cursor)
        candidates = list(s.scalars(query.order_by(Contact.id).limit(batch)))
        if not candidates:
            broadcast.status, broadcast.finished_at = "sent", utcnow()
            return 0
        for contact in candidates:
            letter = render(template.subject, template.body, context(settings, store, contact_data(contact)))
            enqueue(s, store.id, "broadcast", contact.email, letter.subject, letter.html, letter.text,
                    f"broadcast:{broadcast.id}:{contact.id}", from_name=store.name,
                    headers=unsubscribe_headers(settings, store.id, contact.email),
                    broadcast_id=broadcast.id)  # fmt: skip
        broadcast.cursor, broadcast.queued = candidates[-1].id, broadcast.queued + len(candidates)
        return len(candidates)


def advance(db: Database, settings: Settings, batches: int = 4) -> int:
    """Start what is due and fan out a few batches of each live broadcast (the pump calls this each
    pass, so a big broadcast is queued over several passes while mail keeps going out)."""
    with db.transaction() as s:
        due = list(s.scalars(select(MailBroadcast.id).where(
            MailBroadcast.status.in_(LIVE), MailBroadcast.scheduled_at <= utcnow()
        ).order_by(MailBroadcast.scheduled_at)))  # fmt: skip
    done = 0
    for broadcast_id in due:
        for _ in range(batches):
            n = fan_out_batch(db, settings, broadcast_id)
            done += n
            if not n:
                break
    return done


class Stats(BaseModel):
    """How a broadcast went, counted from its messages (what the API and the tool answer)."""

    recipients: int
    by_status: dict[str, int] = Field(description="queued, sending, sent, suppressed, failed, cancelled")
    delivered: int
    opened: int
    clicked: int
    bounced: int
    complained: int
    unsubscribed: int = Field(description="Recipients who unsubscribed after it was sent to them.")


def stats(session: Session, principal: Principal, broadcast_id: str) -> Stats:
    broadcast = get_broadcast(session, principal, broadcast_id)
    mine = MailMessage.broadcast_id == broadcast.id
    by_status = {row[0]: int(row[1]) for row in session.execute(
        select(MailMessage.status, func.count(MailMessage.id)).where(mine).group_by(MailMessage.status)
    )}  # fmt: skip

    def count(*where: Any) -> int:
        return session.scalar(select(func.count(MailMessage.id)).where(mine, *where)) or 0

    return Stats(
        recipients=sum(by_status.values()),
        by_status=by_status,
        delivered=count(MailMessage.delivered_at.is_not(None)),
        opened=count(MailMessage.opened_at.is_not(None)),
        clicked=count(MailMessage.clicked_at.is_not(None)),
        bounced=count(MailMessage.bounce != ""),
        complained=count(MailMessage.complained_at.is_not(None)),
        unsubscribed=session.scalar(  # recipients who unsubscribed after it reached them
            select(func.count(MailMessage.id))
            .join(Contact, (Contact.store_id == MailMessage.store_id) & (Contact.email == MailMessage.to_email))
            .where(mine, Contact.unsubscribed_at >= MailMessage.sent_at)
        )
        or 0,
    )
