"""Receiving a provider's event: verify the signature on the raw bytes, then store the event once
(unique by the provider's event id) and only then answer 2xx; acting on it is a job (`tasks.py`).
A forged, unsigned, stale or wrongly signed request stores nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commerce.models import PaymentEvent
from commerce.webhooks.signature import verify
from core.errors import BadRequest, Conflict
from core.inputs import parse_json

MAX_EVENT_BYTES = 512 * 1024
ID_CHARS, TYPE_CHARS = 120, 80  # the columns' widths (Stripe's ids are about 30 characters)


def parse(payload: bytes) -> dict[str, Any]:
    try:
        event = parse_json(payload)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise BadRequest("the body is not an event: it needs an 'id' and a 'type'")
    if len(event["id"]) > ID_CHARS or len(event["type"]) > TYPE_CHARS:  # stored whole, so compared whole
        raise BadRequest(f"an event's id has at most {ID_CHARS} characters and its type at most {TYPE_CHARS}")
    if not isinstance((event.get("data") or {}).get("object"), dict):
        raise BadRequest("the event has no data.object")
    return event


def receive(
    session: Session, provider: str, payload: bytes, signature: str | None, secrets: list[str]
) -> tuple[PaymentEvent, bool]:
    """The stored event and whether it is new (False: a redelivery, acknowledged and not acted on again)."""
    if len(payload) > MAX_EVENT_BYTES:
        raise BadRequest(f"the event is larger than {MAX_EVENT_BYTES} bytes")
    verify(payload, signature, secrets)
    event = parse(payload)
    query = select(PaymentEvent).where(PaymentEvent.provider == provider, PaymentEvent.event_id == event["id"])
    existing = session.scalar(query)
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            row = PaymentEvent(provider=provider, event_id=event["id"], type=event["type"], payload=event)
            session.add(row)
            session.flush()
    except IntegrityError:  # the same event, delivered at the same moment by another connection
        again = session.scalar(query)
        if again is None:
            raise Conflict("the event could not be stored; deliver it again") from None
        return again, False
    return row, True
