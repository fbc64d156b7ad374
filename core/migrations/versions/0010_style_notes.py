"""Style notes: what each creator's edits to accepted drafts say about their style

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UTC = core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "style_notes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_style_notes_store_id_stores", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_style_notes"),
        sa.UniqueConstraint(
            "store_id", "user_id", "kind", "note", name=op.f("uq_style_notes_store_id_user_id_kind_note")
        ),
    )


def downgrade() -> None:
    op.drop_table("style_notes")
