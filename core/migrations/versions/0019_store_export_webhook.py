"""stores: an export webhook (address and signing secret)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 01:48:52.628064
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("export_webhook_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("export_webhook_secret", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_column("export_webhook_secret")
        batch_op.drop_column("export_webhook_url")
