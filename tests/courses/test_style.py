"""Creators' style notes: kept per creator and kind, refreshed not repeated, the newest few."""

import pytest

from core.db import Database
from core.errors import ValidationFailed
from courses import style
from tests.conftest import StoreWorld


def test_a_note_said_again_is_refreshed_and_comes_first(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        style.remember(s, store_a.owner, "lesson", ["Use bullet lists.", "No exclamation marks."])
        kept = style.remember(s, store_a.owner, "lesson", ["Use bullet lists."])
    assert kept == ["Use bullet lists.", "No exclamation marks."]


def test_only_the_newest_notes_are_kept(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        for n in range(style.KEEP + 3):
            style.remember(s, store_a.owner, "outline", [f"note {n}"])
        kept = style.notes(s, store_a.owner, "outline")
    assert len(kept) == style.KEEP and kept[0] == f"note {style.KEEP + 2}" and "note 0" not in kept


def test_notes_are_each_creators_own(db: Database, store_a: StoreWorld, store_b: StoreWorld) -> None:
    with db.transaction() as s:
        style.remember(s, store_a.owner, "lesson", ["Short."])
        assert style.notes(s, store_b.owner, "lesson") == []
        assert style.notes(s, store_a.owner, "outline") == []


def test_an_unknown_kind_is_refused(db: Database, store_a: StoreWorld) -> None:
    with pytest.raises(ValidationFailed), db.transaction() as s:
        style.remember(s, store_a.owner, "poem", ["x"])
