"""checkouts expire (expires_at) and hold a coupon's use (coupon_held, coupons.reserved); payment
events back off after a handler raises (next_attempt_at)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reserved", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("checkout_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("coupon_held", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f("ix_checkout_sessions_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
    with op.batch_alter_table("checkout_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkout_sessions_expires_at"))
        batch_op.drop_column("coupon_held")
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_column("reserved")
