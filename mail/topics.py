"""A store's topics and each contact's choice of them.

A creator names the topics the store writes about (`news`, `releases`, ...); the sign-up form offers
them, the preferences page behind every marketing message's link lets a contact change theirs
without logging in, and a segment's `topic` rule reaches those who chose one. Choosing no topic is
not unsubscribing: that stays one explicit button."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound, invalid
from core.principal import CONTACTS_READ, CONTACTS_WRITE, Principal
from core.tenancy import select_in_store
from mail.models import Contact, MailTopic

KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_TOPICS = 20


def store_topics(session: Session, store_id: str) -> list[MailTopic]:
    return list(session.scalars(select_in_store(MailTopic, store_id).order_by(MailTopic.created_at)))


def list_topics(session: Session, principal: Principal) -> list[MailTopic]:
    principal.require(CONTACTS_READ)
    return store_topics(session, principal.require_store())


def create_topic(session: Session, principal: Principal, key: str, name: str) -> MailTopic:
    principal.require(CONTACTS_WRITE)
    store_id = principal.require_store()
    if not KEY.match(key):
        raise invalid("key", "1-40 lower-case letters, digits and '-', starting with a letter or digit")
    if not name.strip():
        raise invalid("name", "a topic needs a name")
    if len(store_topics(session, store_id)) >= MAX_TOPICS:
        raise Conflict(f"a store has at most {MAX_TOPICS} topics", extra={"reason": "too_many"})
    topic = MailTopic(store_id=store_id, key=key, name=name.strip()[:120])
    try:
        with session.begin_nested():
            session.add(topic)
            session.flush()
    except IntegrityError:
        raise Conflict(f"the store has a topic '{key}' already", extra={"reason": "exists"}) from None
    return topic


def delete_topic(session: Session, principal: Principal, key: str) -> None:
    principal.require(CONTACTS_WRITE)
    topic = session.scalar(select_in_store(MailTopic, principal).where(MailTopic.key == key))
    if topic is None:
        raise NotFound(f"topic '{key}' not found")
    session.delete(topic)


def known(session: Session, store_id: str, keys: list[str], field: str = "topics") -> list[str]:
    """These topic keys, each one of the store's (a 422 naming the first that is not)."""
    have = {t.key for t in store_topics(session, store_id)}
    unknown = sorted(set(keys) - have)
    if unknown:
        raise invalid(field, f"the store has no topic '{unknown[0]}' (it has: {', '.join(sorted(have)) or 'none'})")
    return sorted(set(keys))


def choose(session: Session, contact: Contact, keys: list[str]) -> list[str]:
    """Set the contact's topics to these (each one the store's); the topics now chosen."""
    contact.topics = known(session, contact.store_id, keys)
    return contact.topics
