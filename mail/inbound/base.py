"""A provider's delivery event, in the service's own kinds, stored once by its id and acted on in the
same transaction, whichever provider sent it:

- `delivered`, `opened`, `clicked`: the first time of each, on the message (an open or a click is also
  the contact's latest activity).
- `bounced`: a permanent (hard) bounce suppresses the address for the store at once; a transient
  (soft) one counts, and the third in 30 days suppresses it too.
- `complained`: the address is suppressed.
An event about a message that is not ours (sent from elsewhere with the same key) is stored as
`unmatched`; an event of no kind we act on as `ignored`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.activity import ActivityEvent
from core.db import Database, utcnow
from core.tenancy import in_store
from mail.models import Contact, MailMessage, MailWebhookEvent
from mail.queue import suppress

ID_CHARS = 120  # the column's width; Svix's ids are `msg_` and 27 characters
SOFT_BOUNCES = 3  # within SOFT_WINDOW, then the address is suppressed
SOFT_WINDOW = timedelta(days=30)


class SignatureError(Exception):
    """The webhook's signature does not verify: forged, stale, or signed with another secret."""


Kind = Literal["delivered", "opened", "clicked", "bounced", "complained"]


@dataclass(frozen=True)
class Delivery:
    """What a provider's event says, in the service's terms."""

    type: str  # the provider's own name for it, as stored
    kind: Kind | None  # None: nothing here acts on it
    message_id: str  # the provider's id of the message it is about
    hard_bounce: bool = False


def _apply(session: Session, event: Delivery) -> str:
    kind = event.kind
    message = session.scalar(select(MailMessage).where(MailMessage.provider_message_id == event.message_id))
    if message is None:
        return "unmatched"
    now = utcnow()
    if kind == "delivered":
        message.delivered_at = message.delivered_at or now
    elif kind in ("opened", "clicked"):
        if kind == "opened":
            message.opened_at = message.opened_at or now
        else:
            message.clicked_at = message.clicked_at or now
        session.execute(  # reading and clicking is activity (segments' `active` rule)
            update(Contact)
            .where(in_store(Contact, message.store_id), Contact.email == message.to_email)
            .values(last_activity_at=now)
        )
    elif kind == "complained":
        message.complained_at = message.complained_at or now
        suppress(session, message.store_id, message.to_email, "complaint")
    elif kind == "bounced":
        hard = event.hard_bounce
        message.bounce = "hard" if hard else "soft"
        session.flush()
        soft = session.scalar(
            select(func.count(MailMessage.id)).where(
                in_store(MailMessage, message.store_id),
                MailMessage.to_email == message.to_email,
                MailMessage.bounce == "soft",
                MailMessage.created_at > now - SOFT_WINDOW,
            )
        )
        if hard or (soft or 0) >= SOFT_BOUNCES:
            suppress(session, message.store_id, message.to_email, "hard_bounce" if hard else "soft_bounces")
    else:
        return "ignored"
    return "applied"


def receive(
    session: Session, provider: str, event_id: str, raw: dict[str, Any], event: Delivery
) -> tuple[MailWebhookEvent, bool]:
    """Store the provider's event once by its id and act on it; (the row, whether it was new)."""
    found = session.scalar(
        select(MailWebhookEvent).where(MailWebhookEvent.provider == provider, MailWebhookEvent.event_id == event_id)
    )
    if found is not None:
        return found, False
    row = MailWebhookEvent(provider=provider, event_id=event_id, type=event.type[:40], payload=raw, outcome="new")
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same delivery, stored by a concurrent request
        query = select(MailWebhookEvent).where(
            MailWebhookEvent.provider == provider, MailWebhookEvent.event_id == event_id
        )
        return session.scalars(query).one(), False
    row.outcome = _apply(session, event) if event.kind is not None else "ignored"
    return row, True


KEEP = timedelta(days=30)


def forget_old(db: Database, now: datetime | None = None) -> int:
    """Drop provider events and handled activity events older than `KEEP`; how many."""
    before = (now or utcnow()) - KEEP
    with db.transaction() as s:
        gone = s.execute(delete(MailWebhookEvent).where(MailWebhookEvent.received_at < before))
        handled = s.execute(delete(ActivityEvent).where(ActivityEvent.handled_at < before))
        return int(getattr(gone, "rowcount", 0) or 0) + int(getattr(handled, "rowcount", 0) or 0)
