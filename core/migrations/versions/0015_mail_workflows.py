"""mail: segments, workflows (versions, runs, steps), contacts' topics; learners' activity events

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 19:23:19.305329
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("ref", sa.String(length=160), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handled_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_activity_events_store_id_stores"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_activity_events_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_events")),
        sa.UniqueConstraint("kind", "ref", name=op.f("uq_activity_events_kind_ref")),
    )
    with op.batch_alter_table("activity_events", schema=None) as batch_op:
        batch_op.create_index("ix_activity_events_unhandled", ["handled_at", "created_at"], unique=False)

    op.create_table(
        "mail_segments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_mail_segments_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_segments")),
    )
    with op.batch_alter_table("mail_segments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_segments_store_id"), ["store_id"], unique=False)

    op.create_table(
        "mail_workflows",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=24), nullable=False),
        sa.Column("graph", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.String(length=40), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_mail_workflows_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_workflows")),
    )
    with op.batch_alter_table("mail_workflows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_workflows_store_id"), ["store_id"], unique=False)

    op.create_table(
        "mail_workflow_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("workflow_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.String(length=40), nullable=False),
        sa.Column("trigger_ref", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("node", sa.String(length=60), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("wake_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("waiting_for", sa.JSON(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["mail_contacts.id"],
            name=op.f("fk_mail_workflow_runs_contact_id_mail_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_mail_workflow_runs_store_id_stores"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["mail_workflows.id"],
            name=op.f("fk_mail_workflow_runs_workflow_id_mail_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_workflow_runs")),
        sa.UniqueConstraint(
            "workflow_id",
            "contact_id",
            "trigger_ref",
            name=op.f("uq_mail_workflow_runs_workflow_id_contact_id_trigger_ref"),
        ),
    )
    with op.batch_alter_table("mail_workflow_runs", schema=None) as batch_op:
        batch_op.create_index("ix_mail_workflow_runs_contact", ["contact_id", "status"], unique=False)
        batch_op.create_index("ix_mail_workflow_runs_due", ["status", "wake_at"], unique=False)

    op.create_table(
        "mail_workflow_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workflow_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("graph", sa.JSON(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["mail_workflows.id"],
            name=op.f("fk_mail_workflow_versions_workflow_id_mail_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_workflow_versions")),
        sa.UniqueConstraint("workflow_id", "version", name=op.f("uq_mail_workflow_versions_workflow_id_version")),
    )
    op.create_table(
        "mail_workflow_steps",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=60), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["mail_workflow_runs.id"],
            name=op.f("fk_mail_workflow_steps_run_id_mail_workflow_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_workflow_steps")),
        sa.UniqueConstraint("run_id", "seq", name=op.f("uq_mail_workflow_steps_run_id_seq")),
    )
    with op.batch_alter_table("mail_broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("segment_id", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_mail_broadcasts_segment_id_mail_segments"),
            "mail_segments",
            ["segment_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("mail_contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topics", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("mail_contacts", schema=None) as batch_op:
        batch_op.drop_column("topics")

    with op.batch_alter_table("mail_broadcasts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_mail_broadcasts_segment_id_mail_segments"), type_="foreignkey")
        batch_op.drop_column("segment_id")

    op.drop_table("mail_workflow_steps")
    op.drop_table("mail_workflow_versions")
    with op.batch_alter_table("mail_workflow_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_workflow_runs_due")
        batch_op.drop_index("ix_mail_workflow_runs_contact")

    op.drop_table("mail_workflow_runs")
    with op.batch_alter_table("mail_workflows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_workflows_store_id"))

    op.drop_table("mail_workflows")
    with op.batch_alter_table("mail_segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_segments_store_id"))

    op.drop_table("mail_segments")
    with op.batch_alter_table("activity_events", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_events_unhandled")

    op.drop_table("activity_events")
