"""Sign-ups with double opt-in: a person asks to get a store's mail, and is subscribed only once they
confirm from the message sent to that address.

`sign_up` makes (or finds) the contact, marks it `pending` unless it is subscribed already, and
queues the confirmation as transactional mail (it is mail the person asked for, not marketing): at
most one an hour per address, whatever the form is sent, so a stranger cannot use the form to flood
someone. The link is signed and expires in 7 days; it carries the topics chosen on the form and when
it was issued. Opening it only asks (scanners open links); confirming subscribes a *pending* contact
(`contacts.consent`: the person's own yes undoes an earlier unsubscribe) and a new subscriber starts
the store's `contact_added` workflows. A link is used once: a contact no longer pending (subscribed,
then unsubscribed) is not subscribed again by it, nor by any link issued before their latest
unsubscribe, so replaying an old link never undoes an unsubscribe.
An unconfirmed contact gets no marketing. A hard-bounced or complaining address gets nothing at all."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import Conflict, Unauthorized
from core.models import Store
from core.security import sign_token, verify_token
from core.settings import Settings
from mail import contacts, topics
from mail.letters import compose
from mail.models import Contact
from mail.queue import enqueue

PURPOSE = "confirm-subscription"
TTL = 7 * 86400


@dataclass(frozen=True)
class Confirmation:
    store_id: str
    email: str
    name: str
    topics: list[str]
    issued_at: datetime | None = None  # None: a link made before links carried it


def link(settings: Settings, contact: Contact, chosen: list[str]) -> str:
    claims = {"sto": contact.store_id, "em": contact.email, "nm": contact.name, "tp": chosen, "iat": time.time()}
    token = sign_token(settings.secret(), claims, TTL, PURPOSE)
    return f"{settings.public_base_url.rstrip('/')}/c/{token}"


def sign_up(session: Session, settings: Settings, store: Store, email: str, name: str = "",
            chosen: list[str] | None = None) -> Contact:  # fmt: skip
    """Ask the address to confirm (a 422 naming the field for a bad address or an unknown topic)."""
    contact = contacts.upsert(session, store.id, email, name, "form")
    wanted = topics.known(session, store.id, chosen or [])
    if contact.status == "subscribed":
        contact.topics = sorted({*contact.topics, *wanted})
        return contact  # nothing to confirm
    if contact.status in ("none", "unsubscribed"):
        contact.status = "pending"
    confirm_at = link(settings, contact, wanted)
    letter = compose(store, f"Confirm your subscription to {store.name}", [
        f"Please confirm that you want mail from {store.name}.",
        "If you did not ask for this, ignore this message: nothing more will be sent.",
    ], confirm_at, f"Yes, send me mail from {store.name}")  # fmt: skip
    hour = utcnow().strftime("%Y%m%d%H")
    enqueue(session, store.id, "transactional", contact.email, letter.subject, letter.html, letter.text,
            f"optin:{contact.id}:{hour}", from_name=store.name)  # fmt: skip
    return contact


def confirmation(settings: Settings, token: str) -> Confirmation:
    """What a confirmation link says; a 401 naming the problem (a bad signature, an expired link)."""
    try:
        claims = verify_token(settings.secret(), token, PURPOSE)
    except Unauthorized as exc:
        expired = "expired" in exc.detail
        raise Unauthorized("the link has expired: sign up again" if expired else exc.detail) from None
    listed = claims.get("tp")
    chosen: list[object] = listed if isinstance(listed, list) else []
    if not isinstance(claims.get("sto"), str) or not isinstance(claims.get("em"), str):
        raise Unauthorized("the link is not a confirmation link")
    issued = claims.get("iat")
    at = datetime.fromtimestamp(issued, UTC) if isinstance(issued, int | float) else None
    return Confirmation(claims["sto"], claims["em"], str(claims.get("nm") or ""), [str(t) for t in chosen], at)


def confirm(session: Session, who: Confirmation) -> Contact:
    """Subscribe a pending contact, once; a 409 for a used link or one older than an unsubscribe."""
    contact = contacts.upsert(session, who.store_id, who.email, who.name, "form")
    if contact.status == "subscribed":
        return contact  # the link was used already: nothing changes
    older = contact.unsubscribed_at is not None and (who.issued_at is None or who.issued_at < contact.unsubscribed_at)
    if contact.status != "pending" or older:
        raise Conflict(
            "this link was used already, or you unsubscribed after it was sent: sign up again for a new one",
            extra={"reason": "link_used"},
        )
    known = {t.key for t in topics.store_topics(session, who.store_id)}
    contact.topics = sorted({*contact.topics, *(t for t in who.topics if t in known)})
    contacts.consent(session, contact, "form")
    return contact
