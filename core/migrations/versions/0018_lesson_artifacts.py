"""courses: an artifact may belong to a lesson (its narration); versions count per course or per lesson

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 23:08:03.941205
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lesson_id", sa.String(length=40), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_artifacts_store_id_course_id_kind_version"), type_="unique")
        batch_op.create_index(
            "uq_artifacts_course_version",
            ["store_id", "course_id", "kind", "version"],
            unique=True,
            sqlite_where=sa.text("lesson_id IS NULL"),
            postgresql_where=sa.text("lesson_id IS NULL"),
        )
        batch_op.create_index(
            "uq_artifacts_lesson_version",
            ["store_id", "lesson_id", "kind", "version"],
            unique=True,
            sqlite_where=sa.text("lesson_id IS NOT NULL"),
            postgresql_where=sa.text("lesson_id IS NOT NULL"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_artifacts_lesson_id_lessons"), "lessons", ["lesson_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_artifacts_lesson_id_lessons"), type_="foreignkey")
        batch_op.drop_index(
            "uq_artifacts_lesson_version",
            sqlite_where=sa.text("lesson_id IS NOT NULL"),
            postgresql_where=sa.text("lesson_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_artifacts_course_version",
            sqlite_where=sa.text("lesson_id IS NULL"),
            postgresql_where=sa.text("lesson_id IS NULL"),
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_artifacts_store_id_course_id_kind_version"), ["store_id", "course_id", "kind", "version"]
        )
        batch_op.drop_column("lesson_id")
