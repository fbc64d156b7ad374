"""The side-effect log, `preview: true`, and pending actions an owner approves or rejects."""

from typing import Any

import pytest
from sqlalchemy import func, select

from core import identity
from core.db import Database
from core.errors import Conflict, Forbidden
from core.principal import Principal
from core.settings import Settings
from courses.models import Course, Module
from tests.conftest import StoreWorld, principal_of
from tools import approvals
from tools.base import ToolContext
from tools.models import ToolAction
from tools.registry import build_registry


def key_principal(db: Database, world: StoreWorld, scopes: list[str] | None = None) -> Principal:
    with db.transaction() as s:
        created = identity.create_api_key(s, world.owner, "agent", scopes)
        return identity.resolve_api_key(s, created.token)


def ctx(db: Database, settings: Settings, principal: Principal, channel: Any = "http") -> ToolContext:
    return ToolContext(db=db, principal=principal, settings=settings, channel=channel)


def actions(db: Database) -> list[ToolAction]:
    with db.transaction() as s:
        return list(s.scalars(select(ToolAction).order_by(ToolAction.id)))


def modules(db: Database, course_id: str) -> int:
    with db.transaction() as s:
        return int(s.scalar(select(func.count(Module.id)).where(Module.course_id == course_id)) or 0)


def test_a_change_is_logged_with_its_caller(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    out = build_registry().invoke(
        "create_module", ctx(db, settings, store_a.owner), {"course_id": store_a.course_id, "title": "Two"}, "key-1"
    )
    [logged] = actions(db)
    assert (logged.tool, logged.status, logged.channel, logged.idempotency_key) == (
        "create_module",
        "done",
        "http",
        "key-1",
    )
    assert logged.user_id == store_a.owner.user_id and logged.store_id == store_a.store_id
    assert logged.arguments == {"course_id": store_a.course_id, "title": "Two"} and logged.result == out


def test_reads_are_not_logged(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    build_registry().invoke("get_course_outline", ctx(db, settings, store_a.owner), {"course_id": store_a.course_id})
    assert actions(db) == []


def test_a_failed_change_writes_nothing_and_is_logged_failed(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    result = build_registry().call(
        "publish_course", ctx(db, settings, store_a.owner), {"course_id": store_a.draft_course_id}
    )
    assert not result.ok and result.error["status"] == 409
    with db.transaction() as s:
        draft = s.get(Course, store_a.draft_course_id)
        assert draft is not None and draft.status == "draft"
    [logged] = actions(db)
    assert logged.status == "failed" and logged.error["code"] == "conflict"


def test_preview_answers_the_change_and_changes_nothing(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    before = modules(db, store_a.course_id)
    out = build_registry().invoke(
        "create_module",
        ctx(db, settings, store_a.owner),
        {"course_id": store_a.course_id, "title": "Maybe", "preview": True},
    )
    assert out["preview"] is True and out["changes"]["title"] == "Maybe"
    assert modules(db, store_a.course_id) == before
    assert [a.status for a in actions(db)] == ["previewed"]


def test_an_outside_agents_publish_waits_for_the_owner(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    reg = build_registry()
    key = key_principal(db, store_a)
    with db.transaction() as s:
        s.get(Course, store_a.course_id).status = "draft"
    pending = reg.invoke("publish_course", ctx(db, settings, key, "mcp"), {"course_id": store_a.course_id})
    assert pending["status"] == "pending" and pending["preview"]["status"] == "published"
    with db.transaction() as s:
        assert s.get(Course, store_a.course_id).status == "draft"
    decided = approvals.decide(reg, ctx(db, settings, store_a.owner), pending["action_id"], "approve")
    assert decided.status == "done" and decided.decided_by == store_a.owner.user_id
    with db.transaction() as s:
        assert s.get(Course, store_a.course_id).status == "published"
    with pytest.raises(Conflict, match="already decided"):
        approvals.decide(reg, ctx(db, settings, store_a.owner), pending["action_id"], "approve")


def test_a_rejected_action_never_acts(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    reg = build_registry()
    key = key_principal(db, store_a)
    pending = reg.invoke("publish_course", ctx(db, settings, key), {"course_id": store_a.course_id})
    rejected = approvals.decide(reg, ctx(db, settings, store_a.owner), pending["action_id"], "reject")
    assert rejected.status == "rejected"
    with pytest.raises(Conflict):
        approvals.decide(reg, ctx(db, settings, store_a.owner), pending["action_id"], "approve")


def test_a_key_revoked_before_approval_acts_no_more(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    reg = build_registry()
    key = key_principal(db, store_a)
    pending = reg.invoke("update_course", ctx(db, settings, key), {"course_id": store_a.course_id, "title": "x"})
    assert "action_id" not in pending and pending["title"] == "x"  # a plain write acts at once, even from a key
    held = reg.invoke("publish_course", ctx(db, settings, key), {"course_id": store_a.course_id, "published": False})
    with db.transaction() as s:
        identity.revoke_api_key(s, store_a.owner, key.api_key_id or "")
    decided = approvals.decide(reg, ctx(db, settings, store_a.owner), held["action_id"], "approve")
    assert decided.status == "failed" and "revoked" in (decided.error or {})["detail"]
    with db.transaction() as s:
        assert s.get(Course, store_a.course_id).status == "published"


def test_a_key_with_the_unattended_scope_acts_at_once(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    key = key_principal(db, store_a, ["courses:write", "unattended:publish"])
    out = build_registry().invoke("publish_course", ctx(db, settings, key), {"course_id": store_a.course_id})
    assert out["status"] == "published"


def test_only_the_owner_logged_in_decides(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    reg = build_registry()
    key = key_principal(db, store_a)
    held = reg.invoke("publish_course", ctx(db, settings, key), {"course_id": store_a.course_id})
    with pytest.raises(Forbidden):
        approvals.decide(reg, ctx(db, settings, key), held["action_id"], "approve")
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with pytest.raises(Forbidden):
        approvals.decide(reg, ctx(db, settings, learner), held["action_id"], "approve")


def test_another_stores_owner_cannot_see_the_action(
    db: Database, settings: Settings, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    from core.errors import NotFound

    reg = build_registry()
    held = reg.invoke("publish_course", ctx(db, settings, key_principal(db, store_a)), {"course_id": store_a.course_id})
    with pytest.raises(NotFound):
        approvals.decide(reg, ctx(db, settings, store_b.owner), held["action_id"], "approve")


def test_a_call_that_would_fail_is_refused_at_once_not_held(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    result = build_registry().call(
        "publish_course", ctx(db, settings, key_principal(db, store_a)), {"course_id": store_a.draft_course_id}
    )
    assert not result.ok and result.error["status"] == 409
    assert actions(db) == []


def test_keys_get_no_unattended_scope_unless_named(db: Database, store_a: StoreWorld) -> None:
    key = key_principal(db, store_a)
    assert key.scopes and not any(scope.startswith("unattended:") for scope in key.scopes)
