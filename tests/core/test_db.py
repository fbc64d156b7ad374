"""The database's transactions: a block that fails leaves nothing behind, savepoints or not."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core import identity
from core.db import Database
from core.models import User


def users(db: Database) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count(User.id))) or 0


def test_a_failed_block_keeps_nothing_written_inside_a_savepoint(db: Database) -> None:
    """Regression: on SQLite a SAVEPOINT before any write became the outermost transaction and its
    RELEASE committed, so a block that then failed kept what the savepoint had written."""
    before = users(db)
    with pytest.raises(RuntimeError), db.transaction() as s:
        s.scalar(select(func.count(User.id)))  # reads first, as most blocks do
        with s.begin_nested():
            identity.create_user(s, "kept@example.com", "password-123", "Kept?")
        identity.create_user(s, "second@example.com", "password-123", "Second")
        raise RuntimeError("the block fails after its savepoint")
    assert users(db) == before


def test_a_rolled_back_savepoint_keeps_the_rest_of_its_block(db: Database) -> None:
    before = users(db)
    with db.transaction() as s:
        identity.create_user(s, "outer@example.com", "password-123", "Outer")
        try:
            with s.begin_nested():
                identity.create_user(s, "inner@example.com", "password-123", "Inner")
                raise ValueError("the inner part fails")
        except ValueError:
            pass
    with db.transaction() as s:
        emails = set(s.scalars(select(User.email)))
    assert "outer@example.com" in emails and "inner@example.com" not in emails and users(db) == before + 1
