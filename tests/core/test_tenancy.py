"""The one tenancy rule: another store's row is "not found" like a missing one, a list holds only the
caller's rows, and no service compares `store_id` by hand instead of asking `core.tenancy`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import Database
from core.errors import Forbidden, NotFound
from core.principal import Principal
from core.tenancy import get_in_store, select_in_store
from courses.models import Course
from tests.conftest import StoreWorld

ROOT = Path(__file__).resolve().parents[2]
SERVICES = (
    "core",
    "courses",
    "commerce",
    "mail",
    "media",
    "rag",
    "tools",
    "ingestion",
    "agents",
    "api",
    "wiring",
    "cli",
)
HAND_SPELT = re.compile(r"\.store_id != |\b[A-Z]\w*\.store_id == [a-z]")  # a guard, or a filter to one store


def test_another_stores_row_is_not_found(db: Database, store_a: StoreWorld, store_b: StoreWorld) -> None:
    with db.transaction() as s:
        assert get_in_store(s, Course, store_a.course_id, store_a.owner, "course").id == store_a.course_id
        with pytest.raises(NotFound, match=f"course '{store_a.course_id}' not found"):
            get_in_store(s, Course, store_a.course_id, store_b.owner, "course")
        with pytest.raises(NotFound):
            get_in_store(s, Course, "crs_missing", store_a.owner, "course")


def test_a_condition_beyond_the_store_is_also_not_found(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s, pytest.raises(NotFound):
        get_in_store(
            s, Course, store_a.draft_course_id, store_a.owner, "course", also=lambda c: c.status == "published"
        )


def test_a_list_holds_only_the_callers_rows(db: Database, store_a: StoreWorld, store_b: StoreWorld) -> None:
    with db.transaction() as s:
        ids = set(s.scalars(select_in_store(Course, store_a.owner).with_only_columns(Course.id)))
        theirs = set(s.scalars(select(Course.id).where(Course.store_id == store_b.store_id)))
    assert ids == {store_a.course_id, store_a.draft_course_id}
    assert not ids & theirs


def test_a_caller_bound_to_no_store_is_told_to_choose_one(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s, pytest.raises(Forbidden, match="choose a store"):
        get_in_store(
            s,
            Course,
            store_a.course_id,
            Principal(user_id=store_a.owner.user_id, store_id=None, role="owner"),
            "course",
        )


def test_no_service_spells_the_tenancy_rule_by_hand() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for package in SERVICES
        for path in (ROOT / package).rglob("*.py")
        if path.name != "tenancy.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if HAND_SPELT.search(line)
    ]
    assert found == []
