"""mail: stores paused from marketing by their deliverability; stores' topics; messages indexed by when sent

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 20:00:48.815477
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_pauses",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("bounce_rate", sa.Float(), nullable=False),
        sa.Column("complaint_rate", sa.Float(), nullable=False),
        sa.Column("paused_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_mail_pauses_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_pauses")),
    )
    with op.batch_alter_table("mail_pauses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_pauses_store_id"), ["store_id"], unique=False)

    op.create_table(
        "mail_topics",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_mail_topics_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_topics")),
        sa.UniqueConstraint("store_id", "key", name=op.f("uq_mail_topics_store_id_key")),
    )
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.create_index("ix_mail_messages_sent", ["status", "sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_messages_sent")

    op.drop_table("mail_topics")
    with op.batch_alter_table("mail_pauses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_pauses_store_id"))

    op.drop_table("mail_pauses")
