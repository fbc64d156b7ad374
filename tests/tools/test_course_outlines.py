"""The outline tool: a creator's outline becomes a draft course through the tool registry."""

from sqlalchemy import func, select

from core.db import Database
from core.settings import Settings
from courses.models import Course
from tests.conftest import StoreWorld, principal_of
from tests.courses.outline_factory import outline
from tools.base import ToolContext
from tools.registry import build_registry


def _count(db: Database, store_id: str) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Course).where(Course.store_id == store_id)) or 0)


def test_the_tool_creates_the_course_and_names_every_lesson(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    ctx = ToolContext(db=db, principal=store_a.owner, settings=settings)
    built = build_registry().invoke("create_course_from_outline", ctx, {"outline": outline(2, 2)})
    assert built["status"] == "draft" and len(built["modules"]) == 2
    first = built["modules"][0]["lessons"][0]
    assert first["objectives"] == ["Do step 1.1"]
    assert built["url"] == f"/courses/mixing-vocals/lessons/{first['lesson_id']}"


def test_a_preview_creates_nothing(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    ctx = ToolContext(db=db, principal=store_a.owner, settings=settings)
    before = _count(db, store_a.store_id)
    out = build_registry().invoke("create_course_from_outline", ctx, {"outline": outline(), "preview": True})
    assert out["preview"] is True and out["changes"]["title"] == "Mixing vocals"
    assert _count(db, store_a.store_id) == before


def test_a_broken_outline_is_a_validation_error_naming_the_field(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    ctx = ToolContext(db=db, principal=store_a.owner, settings=settings)
    before = _count(db, store_a.store_id)
    result = build_registry().call("create_course_from_outline", ctx, {"outline": outline(module_count=0)})
    assert not result.ok and result.error is not None and "outline.modules" in result.error["detail"]
    assert _count(db, store_a.store_id) == before


def test_a_learner_is_refused_the_tool(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    result = build_registry().call(
        "create_course_from_outline", ToolContext(db=db, principal=learner, settings=settings), {"outline": outline()}
    )
    assert not result.ok and result.error is not None and result.error["code"] == "forbidden"
