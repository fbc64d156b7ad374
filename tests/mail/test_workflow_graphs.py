"""A workflow graph is checked whole when saved and activated: every branch goes somewhere, every
node is reached, no loop spins without a delay, and what it names belongs to the store."""

from __future__ import annotations

from typing import Any

import pytest

from core.db import Database
from core.errors import ValidationFailed
from core.settings import Settings
from mail.workflows import service
from tests.conftest import StoreWorld
from tests.mail.factories import template


def refused(db: Database, world: StoreWorld, graph: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ValidationFailed) as raised, db.transaction() as s:
        service.create_workflow(s, world.owner, "Flow", graph)
    return raised.value.errors[0].field, raised.value.errors[0].message


def graph(nodes: dict[str, Any], start: str = "a") -> dict[str, Any]:
    return {"trigger": {"type": "contact_added"}, "start": start, "nodes": nodes}


def test_a_loop_without_a_delay_is_refused_naming_it(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    t = template(db, settings, store_a)
    field, message = refused(db, store_a, graph({
        "a": {"type": "send_email", "template_id": t, "next": "b"},
        "b": {"type": "action", "action": "add_tag", "tag": "x", "next": "a"},
    }))  # fmt: skip
    assert field.startswith("graph.nodes.") and "a loop with no delay or wait: a → b → a" in message


def test_a_loop_through_a_delay_is_allowed(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    t = template(db, settings, store_a)
    with db.transaction() as s:
        made = service.create_workflow(s, store_a.owner, "Monthly", graph({
            "a": {"type": "send_email", "template_id": t, "next": "b"},
            "b": {"type": "delay", "seconds": 30 * 86400, "next": "a"},
        }))  # fmt: skip
        assert made.status == "draft"


def test_an_unreachable_node_is_refused(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    field, message = refused(db, store_a, graph({"a": {"type": "exit"}, "lost": {"type": "exit"}}))
    assert field == "graph.nodes.lost" and "no path from 'a'" in message


def test_a_missing_branch_is_refused(db: Database, store_a: StoreWorld) -> None:
    field, message = refused(db, store_a, graph({
        "a": {"type": "condition", "rule": {"rule": "tag", "tag": "x"}, "yes": "end"}, "end": {"type": "exit"},
    }))  # fmt: skip
    assert field == "graph.nodes.a.no" and "required" in message.lower()


def test_a_branch_to_no_node_is_refused(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    field, message = refused(db, store_a, graph({"a": {"type": "delay", "seconds": 60, "next": "nowhere"}}))
    assert field == "graph.nodes.a.next" and "'nowhere'" in message


def test_another_stores_template_is_refused(
    db: Database, settings: Settings, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    theirs = template(db, settings, store_b)
    field, message = refused(db, store_a, graph({
        "a": {"type": "send_email", "template_id": theirs, "next": "end"}, "end": {"type": "exit"},
    }))  # fmt: skip
    assert field == "graph.nodes.a.template_id" and "no template" in message


def test_an_unknown_coupon_is_refused(db: Database, store_a: StoreWorld) -> None:
    field, _ = refused(db, store_a, graph({
        "a": {"type": "action", "action": "grant_coupon", "coupon_code": "NOPE", "next": "end"}, "end": {"type": "exit"},
    }))  # fmt: skip
    assert field == "graph.nodes.a.coupon_code"


def test_a_sequence_is_drawn_as_a_workflow(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    one, two = template(db, settings, store_a), template(db, settings, store_a)
    drawn = service.sequence({"type": "contact_added"}, [(one, 0), (two, 3 * 86400)])
    assert drawn["start"] == "email-1"
    assert drawn["nodes"]["email-1"]["next"] == "wait-2" and drawn["nodes"]["email-2"]["next"] == "end"
    with db.transaction() as s:
        assert service.create_workflow(s, store_a.owner, "Drip", drawn).trigger == "contact_added"
