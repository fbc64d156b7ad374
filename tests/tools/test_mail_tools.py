"""The mail tools: contacts, templates and broadcast drafts for creators; scheduling a broadcast is a
`send`, so an outside agent's call waits for the owner, with a preview of who would get it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import Database
from core.errors import ValidationFailed
from core.settings import Settings
from mail.models import MailBroadcast, MailTemplate
from tests.conftest import StoreWorld
from tests.tools.test_actions import ctx, key_principal
from tools import approvals
from tools.registry import build_registry

BODY = "<p>Hi {{ contact.first_name }}</p>"


def drafted(db: Database, settings: Settings, store: StoreWorld) -> str:
    reg, owner = build_registry(), ctx(db, settings, store.owner)
    for i in range(3):
        reg.invoke("add_contact", owner, {"email": f"fan{i}@example.com", "name": f"Fan{i}", "subscribed": True})
    reg.invoke("add_contact", owner, {"email": "buyer@example.com"})  # no consent
    template = reg.invoke("create_mail_template", owner, {"name": "News", "subject": "News", "body": BODY})
    return str(reg.invoke("draft_broadcast", owner, {"name": "News", "template_id": template["id"]})["id"])


def test_contacts_are_listed_with_their_consent(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    drafted(db, settings, store_a)
    listed = build_registry().invoke("list_contacts", ctx(db, settings, store_a.owner), {"status": "subscribed"})
    assert listed["total"] == 3 and sorted(c["email"] for c in listed["contacts"])[0] == "fan0@example.com"


def test_an_outside_agents_broadcast_waits_for_the_owner_with_its_audience(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    broadcast_id = drafted(db, settings, store_a)
    reg = build_registry()
    pending = reg.invoke("schedule_broadcast", ctx(db, settings, key_principal(db, store_a), "mcp"),
                         {"broadcast_id": broadcast_id})  # fmt: skip
    assert pending["status"] == "pending" and pending["preview"]["would_send_to"] == 3
    with db.transaction() as s:
        assert s.scalar(select(MailBroadcast.status)) == "draft"
    approvals.decide(reg, ctx(db, settings, store_a.owner), pending["action_id"], "approve")
    with db.transaction() as s:
        assert s.scalar(select(MailBroadcast.status)) == "scheduled"
    stats = reg.invoke("broadcast_stats", ctx(db, settings, store_a.owner), {"broadcast_id": broadcast_id})
    assert stats["recipients"] == 0  # queued by the pump's next pass


def test_a_broken_template_is_refused_naming_the_body(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    with pytest.raises(ValidationFailed, match="body"):
        build_registry().invoke("create_mail_template", ctx(db, settings, store_a.owner),
                                {"name": "Bad", "subject": "x", "body": "{{ store.__class__ }}"})  # fmt: skip


def test_a_segment_is_previewed_and_saved(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    reg, owner = build_registry(), ctx(db, settings, store_a.owner)
    reg.invoke("add_contact", owner, {"email": "vip@example.com", "subscribed": True, "tags": ["vip"]})
    reg.invoke("add_contact", owner, {"email": "fan@example.com", "subscribed": True})
    rule = {"rule": "tag", "tag": "vip", "negate": True}
    seen = reg.invoke("preview_segment", owner, {"rule": rule})
    assert (seen["count"], seen["sample"]) == (1, ["fan@example.com"])
    assert reg.invoke("create_segment", owner, {"name": "Not VIP", "rule": rule})["name"] == "Not VIP"


def test_an_outside_agents_workflow_activation_waits_for_the_owner(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    reg, owner = build_registry(), ctx(db, settings, store_a.owner)
    template = reg.invoke("create_mail_template", owner, {"name": "W", "subject": "Welcome", "body": BODY})
    graph = {"trigger": {"type": "contact_added"}, "start": "hi",
             "nodes": {"hi": {"type": "send_email", "template_id": template["id"], "next": "end"}, "end": {"type": "exit"}}}  # fmt: skip
    made = reg.invoke("create_workflow", owner, {"name": "Welcome", "graph": graph})
    assert made["status"] == "draft"
    outside = ctx(db, settings, key_principal(db, store_a), "mcp")
    pending = reg.invoke("activate_workflow", outside, {"workflow_id": made["id"]})
    assert pending["status"] == "pending" and pending["preview"]["workflow"]["status"] == "draft"
    approvals.decide(reg, owner, pending["action_id"], "approve")
    stats = reg.invoke("workflow_stats", owner, {"workflow_id": made["id"]})
    assert stats["workflow"]["status"] == "active" and stats["workflow"]["version"] == 1


def test_a_workflow_draft_is_redrawn_and_a_broken_one_refused(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    reg, owner = build_registry(), ctx(db, settings, store_a.owner)
    done = {"trigger": {"type": "contact_added"}, "start": "end", "nodes": {"end": {"type": "exit"}}}
    made = reg.invoke("create_workflow", owner, {"name": "Flow", "graph": done})
    renamed = reg.invoke("update_workflow", owner, {"workflow_id": made["id"], "name": "Renamed"})
    assert renamed["name"] == "Renamed" and renamed["version"] == 0
    loop = {"trigger": {"type": "contact_added"}, "start": "a",
            "nodes": {"a": {"type": "action", "action": "add_tag", "tag": "x", "next": "a"}}}  # fmt: skip
    with pytest.raises(ValidationFailed, match="a loop with no delay"):
        reg.invoke("update_workflow", owner, {"workflow_id": made["id"], "graph": loop})


def test_an_unsaved_template_is_rendered_for_the_sample_recipient_and_nothing_is_kept(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    made = build_registry().invoke("render_mail_draft", ctx(db, settings, store_a.owner),
                                   {"subject": "For {{ contact.first_name }}", "body": BODY})  # fmt: skip
    assert made["subject"] == "For Sam" and "Hi Sam" in made["html"] and made["text"] == "Hi Sam"
    with db.transaction() as s:
        assert s.scalar(select(MailTemplate.id)) is None


def test_an_unsaved_template_that_cannot_render_names_the_body(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    with pytest.raises(ValidationFailed, match="body"):
        build_registry().invoke("render_mail_draft", ctx(db, settings, store_a.owner),
                                {"subject": "x", "body": "<mjml><mj-body><mj-column>"})  # fmt: skip
