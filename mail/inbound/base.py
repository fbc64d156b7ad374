"""Resend's webhooks: verified the Svix way on the raw bytes before anything is parsed, stored once by
their `svix-id`, and acted on in the same transaction.

- `email.delivered`, `email.opened`, `email.clicked`: the first time of each, on the message (an open
  or a click is also the contact's latest activity).
- `email.bounced`: a permanent (hard) bounce suppresses the address for the store at once; a
  transient (soft) one counts, and the third in 30 days suppresses it too.
- `email.complained`: the address is suppressed.
An event about a message that is not ours (sent from elsewhere with the same key) is stored as
`unmatched`; an event type we do not act on as `ignored`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from svix.webhooks import Webhook, WebhookVerificationError

from core.activity import ActivityEvent
from core.db import Database, utcnow
from core.errors import BadRequest
from core.inputs import parse_json
from mail.models import Contact, MailMessage, MailWebhookEvent
from mail.queue import suppress

ID_CHARS = 120  # the column's width; Svix's ids are `msg_` and 27 characters
SOFT_BOUNCES = 3  # within SOFT_WINDOW, then the address is suppressed
SOFT_WINDOW = timedelta(days=30)


class SignatureError(Exception):
    """The webhook's signature does not verify: forged, stale, or signed with another secret."""


def verify(body: bytes, headers: Mapping[str, str], secret: str) -> dict[str, Any]:
    """The event, once its Svix signature over these very bytes verifies (5 minutes' tolerance)."""
    wanted = {k.lower(): v for k, v in headers.items() if k.lower().startswith(("svix-", "webhook-"))}
    event_id = wanted.get("svix-id") or wanted.get("webhook-id") or ""
    if len(event_id) > ID_CHARS:  # stored whole, so a redelivery is found by the same id
        raise BadRequest(f"the event id has more than {ID_CHARS} characters")
    try:
        Webhook(secret).verify(body, wanted)
    except WebhookVerificationError as exc:
        raise SignatureError(str(exc) or "no valid signature") from exc
    try:
        event = parse_json(body)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise SignatureError("the body is not a Resend event (no `type`)")
    return event


def _apply(session: Session, kind: str, data: dict[str, Any]) -> str:
    message = session.scalar(select(MailMessage).where(MailMessage.provider_message_id == str(data.get("email_id"))))
    if message is None:
        return "unmatched"
    now = utcnow()
    if kind == "email.delivered":
        message.delivered_at = message.delivered_at or now
    elif kind in ("email.opened", "email.clicked"):
        if kind == "email.opened":
            message.opened_at = message.opened_at or now
        else:
            message.clicked_at = message.clicked_at or now
        session.execute(  # reading and clicking is activity (segments' `active` rule)
            update(Contact)
            .where(Contact.store_id == message.store_id, Contact.email == message.to_email)
            .values(last_activity_at=now)
        )
    elif kind == "email.complained":
        message.complained_at = message.complained_at or now
        suppress(session, message.store_id, message.to_email, "complaint")
    elif kind == "email.bounced":
        hard = str((data.get("bounce") or {}).get("type", "")).lower() in ("permanent", "hard")
        message.bounce = "hard" if hard else "soft"
        session.flush()
        soft = session.scalar(
            select(func.count(MailMessage.id)).where(
                MailMessage.store_id == message.store_id,
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


def receive(session: Session, event_id: str, event: dict[str, Any]) -> tuple[MailWebhookEvent, bool]:
    """Store the event once by its id and act on it; (the row, whether it was new)."""
    found = session.scalar(
        select(MailWebhookEvent).where(MailWebhookEvent.provider == "resend", MailWebhookEvent.event_id == event_id)
    )
    if found is not None:
        return found, False
    kind, data = str(event["type"]), event.get("data") or {}
    row = MailWebhookEvent(provider="resend", event_id=event_id, type=kind[:40], payload=event, outcome="new")
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same delivery, stored by a concurrent request
        return session.scalars(select(MailWebhookEvent).where(MailWebhookEvent.event_id == event_id)).one(), False
    row.outcome = _apply(session, kind, data if isinstance(data, dict) else {})
    return row, True


KEEP = timedelta(days=30)


def forget_old(db: Database, now: datetime | None = None) -> int:
    """Drop provider events and handled activity events older than `KEEP`; how many."""
    before = (now or utcnow()) - KEEP
    with db.transaction() as s:
        gone = s.execute(delete(MailWebhookEvent).where(MailWebhookEvent.received_at < before))
        handled = s.execute(delete(ActivityEvent).where(ActivityEvent.handled_at < before))
        return int(getattr(gone, "rowcount", 0) or 0) + int(getattr(handled, "rowcount", 0) or 0)
