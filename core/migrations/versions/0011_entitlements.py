"""Entitlements: what a customer holds and why; existing enrollments become entitlements

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db
from core.ids import new_id

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC = core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "entitlements",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("resource_kind", sa.String(length=16), nullable=False),
        sa.Column("resource_id", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("starts_at", UTC, nullable=False),
        sa.Column("ends_at", UTC, nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_entitlements_store_id_stores"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_entitlements_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlements")),
        sa.UniqueConstraint(
            "user_id", "resource_kind", "resource_id", "source", "source_ref", name="uq_entitlements_cause"
        ),
    )
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entitlements_holder", ["store_id", "user_id", "resource_kind", "resource_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_entitlements_user_id"), ["user_id"], unique=False)
    _backfill()


def _backfill() -> None:
    """Every enrollment so far was a grant, a self-enrollment or an import: each becomes the
    entitlement it stood for (revoked ones too, so their history is kept)."""
    conn = op.get_bind()
    table = sa.table(
        "entitlements",
        *(sa.column(c) for c in ("id", "store_id", "user_id", "resource_kind", "resource_id", "source")),
        *(sa.column(c) for c in ("source_ref", "status", "reason", "starts_at", "ends_at", "updated_at")),
    )
    rows = conn.execute(
        sa.text("SELECT store_id, user_id, course_id, source, granted_at, revoked_at FROM enrollments")
    ).fetchall()
    values = [
        {
            "id": new_id("ent"),
            "store_id": store_id,
            "user_id": user_id,
            "resource_kind": "course",
            "resource_id": course_id,
            "source": source if source in ("grant", "self", "import") else "grant",
            "source_ref": "",
            "status": "revoked" if revoked_at is not None else "active",
            "reason": "revoked by the store" if revoked_at is not None else "",
            "starts_at": granted_at,
            "ends_at": None,
            "updated_at": revoked_at or granted_at,
        }
        for store_id, user_id, course_id, source, granted_at, revoked_at in rows
    ]
    if values:
        op.bulk_insert(table, values)


def downgrade() -> None:
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entitlements_user_id"))
        batch_op.drop_index("ix_entitlements_holder")
    op.drop_table("entitlements")
