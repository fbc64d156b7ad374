"""Mail test data: queued messages for a store, contacts, a bought course, and a provider scripted
to answer as told."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from commerce.models import Order
from core.db import Database
from core.settings import Settings
from mail import contacts, library
from mail.models import Contact, MailMessage
from mail.providers.base import Outgoing
from mail.queue import enqueue
from mail.workflows import service
from tests.commerce.factories import Shop, checkout, deliver, shop
from tests.conftest import StoreWorld


def queued(db: Database, store_id: str, n: int = 1, kind: str = "transactional", to: str = "ann@example.com",
           key: str = "m") -> list[MailMessage]:  # fmt: skip
    headers = {} if kind == "transactional" else {"List-Unsubscribe": "<https://academy.test/u/x>"}
    with db.transaction() as s:
        rows = [
            enqueue(
                s,
                store_id,
                kind,
                to,
                f"Subject {i}",
                f"<p>Body {i}</p>",
                f"Body {i}",
                f"{store_id}:{key}:{i}",
                headers=headers,
            )
            for i in range(n)
        ]
        s.expunge_all()
        return rows


@dataclass
class ScriptedProvider:
    """Answers each send with the next scripted outcome (an exception to raise, or None: accepted)."""

    script: list[Exception | None] = field(default_factory=list)
    accepted: list[Outgoing] = field(default_factory=list)
    name: str = "scripted"

    def send(self, message: Outgoing) -> str:
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        self.accepted.append(message)
        return f"scripted_{message.id}"


def bought(db: Database, settings: Settings) -> tuple[Shop, str]:
    """A shop whose learner paid for its course (after one declined card); the order's id."""
    s = shop(db, settings)
    row = checkout(db, settings, s)
    assert s.provider.pay(row.provider_session_id or "", "4000 0000 0000 0002") == "declined"
    assert s.provider.pay(row.provider_session_id or "", "4242 4242 4242 4242") == "paid"
    deliver(db, settings, s.provider)
    with db.transaction() as session:
        order = session.scalars(select(Order)).one()
        return s, order.id


def contact(db: Database, world: StoreWorld, email: str, subscribed: bool = True, tags: list[str] | None = None,
            **fields: Any) -> str:  # fmt: skip
    """A contact of the store (subscribed unless told), with tags and custom fields; its id."""
    with db.transaction() as s:
        return contacts.add_contact(s, world.owner, email, email.split("@")[0].title(), subscribed, tags, fields).id


def contact_row(db: Database, contact_id: str) -> Contact:
    with db.transaction() as s:
        row = s.get(Contact, contact_id)
        assert row is not None
        s.expunge(row)
        return row


def template(
    db: Database, settings: Settings, world: StoreWorld, subject: str = "Hello {{ contact.first_name }}"
) -> str:
    """A template of the store (its id), whose subject tells the messages apart."""
    with db.transaction() as s:
        return library.create_template(s, world.owner, settings, subject[:40], subject, "<p>{{ store.name }}</p>").id


def active_workflow(db: Database, world: StoreWorld, graph: dict[str, Any], name: str = "Flow") -> str:
    """A workflow drawn and activated (version 1); its id."""
    with db.transaction() as s:
        made = service.create_workflow(s, world.owner, name, graph)
        service.activate(s, world.owner, made.id)
        return made.id
