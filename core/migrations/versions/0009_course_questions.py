"""Course questions: what learners asked the course assistant, and whether the answer cited the course

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC = core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "course_questions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("course_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("passages", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name="fk_course_questions_store_id_stores", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name="fk_course_questions_course_id_courses", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_course_questions"),
    )
    op.create_index(
        "ix_course_questions_course_answered", "course_questions", ["store_id", "course_id", "answered", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_course_questions_course_answered", table_name="course_questions")
    op.drop_table("course_questions")
