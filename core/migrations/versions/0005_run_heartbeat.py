"""runs.heartbeat_at: the process working on a run stamps it, so another can tell a dead one's runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("heartbeat_at", core.db.UTCDateTime(timezone=True), nullable=True))
    op.create_index("ix_runs_status_heartbeat", "runs", ["status", "heartbeat_at"])


def downgrade() -> None:
    op.drop_index("ix_runs_status_heartbeat", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("heartbeat_at")
