"""Receiving a provider's event: verify the signature on the raw bytes, then store the event once
(unique by the provider's event id) and only then answer 2xx; acting on it is a job (`tasks.py`).
A forged, unsigned, stale or wrongly signed request stores nothing."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commerce.models import PaymentEvent
from commerce.webhooks.signature import verify
from core.errors import BadRequest

MAX_EVENT_BYTES = 512 * 1024


def parse(payload: bytes) -> dict[str, Any]:
    try:
        event = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("the body is not JSON") from exc
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise BadRequest("the body is not an event: it needs an 'id' and a 'type'")
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
            row = PaymentEvent(provider=provider, event_id=event["id"][:120], type=event["type"][:80], payload=event)
            session.add(row)
            session.flush()
    except IntegrityError:  # the same event, delivered at the same moment by another connection
        again = session.scalar(query)
        assert again is not None
        return again, False
    return row, True
