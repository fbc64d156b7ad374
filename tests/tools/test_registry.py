"""The registry checks permission and validates arguments for every caller, and the course tools
reach the services only with the caller's principal."""

from pathlib import Path

import pytest
from pydantic import BaseModel

from core.db import Database
from core.settings import Settings
from tests.conftest import StoreWorld, principal_of
from tools.base import Registry, Tool, ToolContext, ToolInput
from tools.registry import build_registry


@pytest.fixture
def registry() -> Registry:
    return build_registry()


def ctx_for(db: Database, settings: Settings, principal, retrieval=None) -> ToolContext:
    return ToolContext(db=db, principal=principal, settings=settings, retrieval=retrieval)


def test_every_tool_declares_schema_scope_and_side_effect(registry: Registry) -> None:
    for tool in registry.tools.values():
        assert tool.input_model.model_json_schema()["type"] == "object"
        assert tool.scopes and tool.side_effect in ("read", "write", "send", "money", "publish")
    assert registry.get("mark_lesson_complete").side_effect == "write"


def test_learner_marks_own_lesson_complete(
    db: Database, settings: Settings, registry: Registry, store_a: StoreWorld
) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    result = registry.call(
        "mark_lesson_complete", ctx_for(db, settings, learner), {"lesson_id": store_a.paid_lesson_id}
    )
    assert result.ok and result.output["lesson_id"] == store_a.paid_lesson_id
    progress = registry.call("get_my_progress", ctx_for(db, settings, learner), {"course_id": store_a.course_id})
    assert progress.output["completed"] == 1


def test_creator_cannot_use_learner_tools(
    db: Database, settings: Settings, registry: Registry, store_a: StoreWorld
) -> None:
    result = registry.call(
        "mark_lesson_complete", ctx_for(db, settings, store_a.owner), {"lesson_id": store_a.paid_lesson_id}
    )
    assert not result.ok and result.error["code"] == "forbidden" and "learn" in result.error["detail"]


def test_locked_lesson_is_refused_through_the_tool(
    db: Database, settings: Settings, registry: Registry, store_a: StoreWorld
) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    result = registry.call(
        "mark_lesson_complete", ctx_for(db, settings, learner), {"lesson_id": store_a.drip_lesson_id}
    )
    assert not result.ok and result.error["status"] == 403 and result.error["reason"] == "drip"


def test_other_stores_lesson_is_not_found(
    db: Database, settings: Settings, registry: Registry, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    learner_b = principal_of(db, store_b.learner_email, store_b.store_id)
    result = registry.call("get_course_outline", ctx_for(db, settings, learner_b), {"course_id": store_a.course_id})
    assert not result.ok and result.error["status"] == 404


def test_bad_arguments_are_reported_not_raised(
    db: Database, settings: Settings, registry: Registry, store_a: StoreWorld
) -> None:
    result = registry.call("get_course_outline", ctx_for(db, settings, store_a.owner), {"course": "x"})
    assert not result.ok and result.error["code"] == "validation-failed"
    assert {e["field"] for e in result.error["errors"]} == {"course_id", "course"}


def test_unknown_tool(db: Database, settings: Settings, registry: Registry, store_a: StoreWorld) -> None:
    assert registry.call("drop_database", ctx_for(db, settings, store_a.owner), {}).error["code"] == "validation-failed"


def test_web_search_says_it_is_off(db: Database, settings: Settings, registry: Registry, store_a: StoreWorld) -> None:
    result = registry.call("web_search", ctx_for(db, settings, store_a.owner), {"query": "eq"})
    assert not result.ok and "off" in result.error["detail"]


def test_search_tool_uses_the_callers_access(
    db: Database, settings: Settings, registry: Registry, store_a: StoreWorld, tmp_path: Path
) -> None:
    from ingestion.pipeline import Ingestor
    from ingestion.sources import course_sources
    from tests.retrieval_fixtures import make_runtime

    runtime = make_runtime(tmp_path / "index")
    with db.transaction() as s:
        Ingestor(runtime).sync_course(
            store_a.store_id, store_a.course_id, course_sources(s, store_a.store_id, store_a.course_id), complete=True
        )
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    result = registry.call(
        "search_course_content", ctx_for(db, settings, learner, runtime), {"query": "Drip later secret"}
    )
    runtime.close()
    lessons = {p["lesson_id"] for p in result.output["passages"]}
    assert store_a.drip_lesson_id not in lessons and store_a.paid_lesson_id in lessons


class NoteIn(ToolInput):
    text: str


class NoteOut(BaseModel):
    count: int


def test_write_tool_is_idempotent_by_key(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    calls: list[str] = []

    def note(ctx: ToolContext, args: NoteIn) -> NoteOut:
        calls.append(args.text)
        return NoteOut(count=len(calls))

    reg = Registry()
    reg.register(Tool("note", "write a note", NoteIn, NoteOut, ("courses:write",), "write", note))
    ctx = ctx_for(db, settings, store_a.owner)
    first = reg.call("note", ctx, {"text": "hi"}, idempotency_key="k1")
    again = reg.call("note", ctx, {"text": "hi"}, idempotency_key="k1")
    assert first.output == again.output == {"count": 1} and calls == ["hi"]


class ModuleIn(ToolInput):
    title: str


class ModuleOut(BaseModel):
    module_id: str


def test_twenty_concurrent_calls_with_one_key_act_exactly_once(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    import threading
    import time

    from sqlalchemy import func, select

    from courses import catalog
    from courses.models import Module

    def add_module(ctx: ToolContext, args: ModuleIn) -> ModuleOut:
        with ctx.transaction() as session:
            module = catalog.create_module(session, ctx.principal, store_a.course_id, args.title)
            time.sleep(0.05)  # widen the window in which a duplicate could slip through
            return ModuleOut(module_id=module.id)

    reg = Registry()
    reg.register(Tool("add_module", "add a module", ModuleIn, ModuleOut, ("courses:write",), "write", add_module))
    ctx = ctx_for(db, settings, store_a.owner)
    results: list = []
    start = threading.Barrier(20)

    def call() -> None:
        start.wait()
        results.append(reg.call("add_module", ctx, {"title": "Once"}, idempotency_key="same-key"))

    threads = [threading.Thread(target=call) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.transaction() as s:
        made = s.scalar(select(func.count(Module.id)).where(Module.title == "Once"))
    assert made == 1
    assert all(r.ok for r in results) and len({r.output["module_id"] for r in results}) == 1


def test_a_failing_keyed_call_leaves_no_record_and_can_be_retried(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    from core.errors import Conflict

    attempts: list[int] = []

    def flaky(ctx: ToolContext, args: NoteIn) -> NoteOut:
        attempts.append(1)
        if len(attempts) == 1:
            raise Conflict("not yet")
        return NoteOut(count=len(attempts))

    reg = Registry()
    reg.register(Tool("flaky", "fails once", NoteIn, NoteOut, ("courses:write",), "write", flaky))
    ctx = ctx_for(db, settings, store_a.owner)
    assert not reg.call("flaky", ctx, {"text": "x"}, idempotency_key="k").ok
    assert reg.call("flaky", ctx, {"text": "x"}, idempotency_key="k").output == {"count": 2}


def test_an_agent_with_no_tools_is_offered_none(registry: Registry, store_a: StoreWorld) -> None:
    assert registry.available(store_a.owner, []) == []
    assert registry.available(store_a.owner, None)  # no list: everything the caller may use
