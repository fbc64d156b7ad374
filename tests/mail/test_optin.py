"""Double opt-in: a sign-up is pending (no marketing) until the person confirms; confirming is their
own yes, so it undoes an earlier unsubscribe and starts the welcome workflow; topics are the store's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import Database
from core.errors import Conflict, ValidationFailed
from core.models import Store
from core.settings import Settings
from mail import contacts, optin, segments, topics
from mail.models import Contact, Suppression
from mail.workflows.models import MailWorkflowRun
from tests.conftest import StoreWorld
from tests.mail.factories import active_workflow, template


def sign_up(db: Database, settings: Settings, world: StoreWorld, email: str, chosen: list[str] | None = None) -> str:
    """Signs up and confirms with the link's own claims; the contact's status."""
    with db.transaction() as s:
        store = s.get(Store, world.store_id)
        assert store is not None
        contact = optin.sign_up(s, settings, store, email, "Fan", chosen)
        token = optin.link(settings, contact, chosen or []).rsplit("/", 1)[1]
    with db.transaction() as s:
        return optin.confirm(s, optin.confirmation(settings, token)).status


def test_a_pending_contact_is_in_no_marketing_audience(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        store = s.get(Store, store_a.store_id)
        assert store is not None
        assert optin.sign_up(s, settings, store, "fan@example.com").status == "pending"
        rule = segments.parse_rule({"rule": "status", "status": "subscribed"})
        assert segments.preview(s, store_a.owner, rule).count == 0


def test_confirming_undoes_an_earlier_unsubscribe(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        contacts.add_contact(s, store_a.owner, "fan@example.com", subscribed=True)
        contacts.unsubscribe(s, contacts.Addressee(store_a.store_id, "fan@example.com"))
    assert sign_up(db, settings, store_a, "fan@example.com") == "subscribed"
    with db.transaction() as s:
        assert s.scalar(select(Suppression.id)) is None


def test_confirming_starts_the_welcome_workflow(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    welcome = template(db, settings, store_a, "Welcome")
    active_workflow(db, store_a, {"trigger": {"type": "contact_added"}, "start": "hi", "nodes": {
        "hi": {"type": "send_email", "template_id": welcome, "next": "end"}, "end": {"type": "exit"}}})  # fmt: skip
    sign_up(db, settings, store_a, "fan@example.com")
    with db.transaction() as s:
        assert s.scalar(select(MailWorkflowRun.status)) == "active"


def test_an_unknown_topic_is_refused_naming_it(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        topics.create_topic(s, store_a.owner, "news", "News")
    with pytest.raises(ValidationFailed, match="no topic 'gossip'"), db.transaction() as s:
        store = s.get(Store, store_a.store_id)
        assert store is not None
        optin.sign_up(s, settings, store, "fan@example.com", chosen=["news", "gossip"])
    with db.transaction() as s:
        assert s.scalar(select(Contact.id)) is None  # nothing half written


def test_a_topic_rule_reaches_those_who_chose_it(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        topics.create_topic(s, store_a.owner, "news", "News")
    sign_up(db, settings, store_a, "reader@example.com", ["news"])
    sign_up(db, settings, store_a, "buyer@example.com")
    with db.transaction() as s:
        found = segments.preview(s, store_a.owner, segments.parse_rule({"rule": "topic", "topic": "news"}))
        assert [c.email for c in found.sample] == ["reader@example.com"]


def test_a_replayed_confirmation_never_undoes_a_later_unsubscribe(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    with db.transaction() as s:
        store = s.get(Store, store_a.store_id)
        assert store is not None
        contact = optin.sign_up(s, settings, store, "fan@example.com", "Fan")
        token = optin.link(settings, contact, []).rsplit("/", 1)[1]
    with db.transaction() as s:
        assert optin.confirm(s, optin.confirmation(settings, token)).status == "subscribed"
        assert optin.confirm(s, optin.confirmation(settings, token)).status == "subscribed"  # used: no change
        contacts.unsubscribe(s, contacts.Addressee(store_a.store_id, "fan@example.com"))
    with db.transaction() as s, pytest.raises(Conflict, match="sign up again"):
        optin.confirm(s, optin.confirmation(settings, token))
    with db.transaction() as s:  # signing up again sends a new link; the old one still cannot confirm
        store = s.get(Store, store_a.store_id)
        assert store is not None and optin.sign_up(s, settings, store, "fan@example.com").status == "pending"
    with db.transaction() as s, pytest.raises(Conflict):
        optin.confirm(s, optin.confirmation(settings, token))
    with db.transaction() as s:
        assert s.scalar(select(Contact.status)) == "pending"
        assert s.scalar(select(Suppression.reason)) == "unsubscribed"
