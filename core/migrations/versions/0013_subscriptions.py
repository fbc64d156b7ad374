"""subscriptions: memberships paid by the period; renewal orders

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 16:46:11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("price_id", sa.String(length=40), nullable=False),
        sa.Column("checkout_session_id", sa.String(length=40), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_subscription_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("current_period_end", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("ended_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkout_session_id"],
            ["checkout_sessions.id"],
            name=op.f("fk_subscriptions_checkout_session_id_checkout_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["price_id"], ["prices.id"], name=op.f("fk_subscriptions_price_id_prices"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_subscriptions_product_id_products"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_subscriptions_store_id_stores"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_subscriptions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("checkout_session_id", name=op.f("uq_subscriptions_checkout_session_id")),
        sa.UniqueConstraint("provider_subscription_id", name=op.f("uq_subscriptions_provider_subscription_id")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriptions_store_id"), ["store_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscriptions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subscription_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("invoice_id", sa.String(length=120), nullable=True))
        batch_op.alter_column("checkout_session_id", existing_type=sa.VARCHAR(length=40), nullable=True)
        batch_op.create_index(batch_op.f("ix_orders_subscription_id"), ["subscription_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_orders_invoice_id"), ["invoice_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_subscription_id_subscriptions"), "subscriptions", ["subscription_id"], ["id"]
        )


def downgrade() -> None:
    # Renewal orders have no checkout session, which the older schema requires: they go first.
    op.execute("DELETE FROM order_events WHERE order_id IN (SELECT id FROM orders WHERE checkout_session_id IS NULL)")
    op.execute("DELETE FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE checkout_session_id IS NULL)")
    op.execute("DELETE FROM orders WHERE checkout_session_id IS NULL")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_orders_subscription_id_subscriptions"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_orders_invoice_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_orders_subscription_id"))
        batch_op.alter_column("checkout_session_id", existing_type=sa.VARCHAR(length=40), nullable=False)
        batch_op.drop_column("invoice_id")
        batch_op.drop_column("subscription_id")

    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriptions_user_id"))
        batch_op.drop_index(batch_op.f("ix_subscriptions_store_id"))

    op.drop_table("subscriptions")
