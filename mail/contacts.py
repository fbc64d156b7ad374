"""Contacts and their consent, and unsubscribing.

A contact is unique per store and address. Marketing consent is explicit (`subscribed`, with its
source and time); a buyer or a learner becomes a contact with `none` (transactional mail only).
Unsubscribing is one signed link per store and address (`/u/{token}`): it needs no login, works any
number of times, and besides the contact's status it writes a suppression, which the send queue
reads at enqueue and again at send, so no marketing message already queued goes out after it. Every
marketing message carries the link as `List-Unsubscribe` with `List-Unsubscribe-Post` (RFC 8058)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import Unauthorized, invalid
from core.pagination import Page, paginate
from core.principal import CONTACTS_READ, CONTACTS_WRITE, Principal
from core.security import sign_token, verify_token
from core.settings import Settings
from core.tenancy import get_in_store, in_store, select_in_store
from mail import topics
from mail.models import Contact, MailMessage, Suppression
from mail.queue import address, suppress
from mail.workflows import signals

PURPOSE = "unsubscribe"
NEVER = 4102444800  # 2100-01-01: an unsubscribe link must keep working (and be the same each time)
STATUSES = ("none", "pending", "subscribed", "unsubscribed")  # pending: asked to confirm a sign-up


@dataclass(frozen=True)
class Addressee:
    store_id: str
    email: str


def upsert(session: Session, store_id: str, email: str, name: str = "", source: str = "api",
           subscribed: bool | None = None) -> Contact:  # fmt: skip
    """The store's contact for this address, made now or found; `subscribed` True records consent
    (never over an unsubscribe: only the person may undo that), None leaves consent as it is."""
    email = address(email, "email")
    contact = session.scalar(select_in_store(Contact, store_id).where(Contact.email == email))
    if contact is None:
        contact = Contact(store_id=store_id, email=email, name=name[:200], source=source[:24], status="none")
        try:
            with session.begin_nested():
                session.add(contact)
                session.flush()
        except IntegrityError:  # made by a concurrent request
            contact = session.scalars(select_in_store(Contact, store_id).where(Contact.email == email)).one()
    if name and not contact.name:
        contact.name = name[:200]
    if subscribed and contact.status == "none":  # pending: only the person's confirmation subscribes
        consent(session, contact, source)
    return contact


def consent(session: Session, contact: Contact, source: str) -> None:
    """They said yes (a creator's record of it, or a confirmed sign-up: the person themself, which
    also undoes their earlier unsubscribe); a new subscriber is `contact_added` for workflows."""
    if contact.status == "subscribed":
        return
    if contact.status in ("unsubscribed", "pending"):  # pending: maybe after an unsubscribe
        session.execute(delete(Suppression).where(
            in_store(Suppression, contact.store_id), Suppression.email == contact.email,
            Suppression.reason == "unsubscribed",
        ))  # fmt: skip
    contact.status, contact.consent_at, contact.source = "subscribed", utcnow(), source[:24]
    contact.unsubscribed_at = None
    session.flush()
    signals.signal(session, contact, "contact_added", contact.id, utcnow())


def find(session: Session, store_id: str, email: str) -> Contact | None:
    return session.scalar(select_in_store(Contact, store_id).where(Contact.email == email))


def add_contact(session: Session, principal: Principal, email: str, name: str = "", subscribed: bool = False,
                tags: list[str] | None = None, fields: dict[str, Any] | None = None,
                chosen_topics: list[str] | None = None) -> Contact:  # fmt: skip
    principal.require(CONTACTS_WRITE)
    contact = upsert(session, principal.require_store(), email, name, "api", subscribed or None)
    contact.fields = {**contact.fields, **(fields or {})}
    if chosen_topics is not None:
        topics.choose(session, contact, chosen_topics)
    tag(session, contact, tags or [])
    return contact


def tag(session: Session, contact: Contact, tags: list[str]) -> list[str]:
    """Add tags; each new one is a `tag_added` for workflows (one already there is not). The new ones."""
    new = sorted({t.strip()[:40] for t in tags if t.strip()} - set(contact.tags))
    if new:
        contact.tags = sorted({*contact.tags, *new})
        session.flush()
        now = utcnow()
        for name in new:
            signals.signal(session, contact, "tag_added", f"{name}:{now.isoformat()}", now, tag=name)
    return new


def get_contact(session: Session, principal: Principal, contact_id: str) -> Contact:
    principal.require(CONTACTS_READ)
    contact = get_in_store(session, Contact, contact_id, principal, "contact")
    return contact


def update_contact(session: Session, principal: Principal, contact_id: str, changes: dict[str, Any]) -> Contact:
    """Rename, replace tags (each new one a `tag_added`), fields or topics. Consent is not edited here:
    it is the person's (sign-up, unsubscribe link) or recorded once with `add_contact`."""
    principal.require(CONTACTS_WRITE)
    contact = get_contact(session, principal, contact_id)
    if "name" in changes:
        contact.name = str(changes["name"])[:200]
    if "fields" in changes:
        contact.fields = dict(changes["fields"])
    if "topics" in changes:
        topics.choose(session, contact, list(changes["topics"]))
    if "tags" in changes:
        wanted = {t.strip()[:40] for t in changes["tags"] if t.strip()}
        contact.tags = sorted(set(contact.tags) & wanted)
        tag(session, contact, sorted(wanted))
    return contact


def delete_contact(session: Session, principal: Principal, contact_id: str) -> None:
    """Forget the person (their runs go with them; their queued marketing is cancelled). A bounce or
    an unsubscribe stays recorded as a suppression, so an import cannot bring them back to marketing."""
    principal.require(CONTACTS_WRITE)
    contact = get_contact(session, principal, contact_id)
    session.execute(
        update(MailMessage)
        .where(in_store(MailMessage, contact.store_id), MailMessage.to_email == contact.email,
               MailMessage.status == "queued", MailMessage.kind != "transactional")
        .values(status="cancelled", last_error="the contact was deleted")
    )  # fmt: skip
    session.delete(contact)


def list_contacts(session: Session, principal: Principal, status: str | None, cursor: str | None,
                  limit: int) -> Page[Contact]:  # fmt: skip
    principal.require(CONTACTS_READ)
    query = select_in_store(Contact, principal)
    if status is not None:
        if status not in STATUSES:
            raise invalid("status", f"must be one of {', '.join(STATUSES)}")
        query = query.where(Contact.status == status)
    return paginate(session, query, Contact.id, cursor, limit)


def unsubscribe_token(settings: Settings, store_id: str, email: str) -> str:
    return sign_token(settings.secret(), {"sto": store_id, "em": email}, 0, PURPOSE, expires_at=NEVER)


def unsubscribe_headers(settings: Settings, store_id: str, email: str) -> dict[str, str]:
    """What every marketing message carries (RFC 8058: a mail program can unsubscribe in one click)."""
    link = f"{settings.public_base_url.rstrip('/')}/u/{unsubscribe_token(settings, store_id, email)}"
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def addressee(settings: Settings, token: str) -> Addressee:
    """Whom an unsubscribe link is for; a 401 naming the problem when its signature is not ours."""
    claims = verify_token(settings.secret(), token, PURPOSE)
    if not isinstance(claims.get("sto"), str) or not isinstance(claims.get("em"), str):
        raise Unauthorized("the link is not an unsubscribe link")
    return Addressee(claims["sto"], claims["em"])


def unsubscribe(session: Session, who: Addressee) -> Contact:
    """No more marketing mail to this address from this store; the same outcome however often."""
    contact = upsert(session, who.store_id, who.email, source="unsubscribe")
    if contact.status != "unsubscribed":
        contact.status, contact.unsubscribed_at = "unsubscribed", utcnow()
    suppress(session, who.store_id, contact.email, "unsubscribed")
    signals.leave(session, contact.id, "unsubscribed", utcnow())
    return contact
