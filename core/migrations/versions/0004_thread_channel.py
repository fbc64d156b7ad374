"""threads.channel: where a thread was started (the chat page and API, or the OpenAI facade)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=16), nullable=False, server_default="chat"))
    op.create_index("ix_threads_user_updated", "threads", ["store_id", "user_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_threads_user_updated", table_name="threads")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("channel")
