"""Resend's webhooks: verified the Svix way on the raw bytes before anything is parsed, and mapped to
the service's own kinds. An event type nothing acts on maps to no kind (stored as `ignored`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from svix.webhooks import Webhook, WebhookVerificationError

from core.errors import BadRequest
from core.inputs import parse_json
from mail.inbound.base import ID_CHARS, Delivery, Kind, SignatureError

PROVIDER = "resend"
KINDS: dict[str, Kind] = {
    "email.delivered": "delivered",
    "email.opened": "opened",
    "email.clicked": "clicked",
    "email.bounced": "bounced",
    "email.complained": "complained",
}


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


def delivery(event: dict[str, Any]) -> Delivery:
    """The event in the service's terms."""
    data: dict[str, Any] = event["data"] if isinstance(event.get("data"), dict) else {}
    bounce: dict[str, Any] = data["bounce"] if isinstance(data.get("bounce"), dict) else {}
    return Delivery(
        type=str(event["type"]),
        kind=KINDS.get(str(event["type"])),
        message_id=str(data.get("email_id") or ""),
        hard_bounce=str(bounce.get("type", "")).lower() in ("permanent", "hard"),
    )
