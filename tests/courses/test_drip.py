from datetime import timedelta

from sqlalchemy import func, select

from core.db import Database, utcnow
from courses.drip import record_unlocks
from courses.models import LessonUnlock
from tests.conftest import StoreWorld


def _unlocks(db: Database) -> int:
    with db.transaction() as s:
        return int(s.scalar(select(func.count(LessonUnlock.id))) or 0)


def test_nothing_unlocks_before_the_offset(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        assert record_unlocks(s, utcnow() + timedelta(days=6)) == 0


def test_each_unlock_is_recorded_once(db: Database, store_a: StoreWorld) -> None:
    later = utcnow() + timedelta(days=8)
    with db.transaction() as s:
        assert record_unlocks(s, later) == 1
    with db.transaction() as s:
        assert record_unlocks(s, later) == 0
    assert _unlocks(db) == 1
