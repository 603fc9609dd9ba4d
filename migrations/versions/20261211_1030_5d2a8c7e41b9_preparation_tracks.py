"""preparation tracks

Resources can be lessons of a side's preparation track (their place in it; none for a
library resource). Each participant's lessons, sent and marked done, get a table of their
own, one row per person and lesson. The programme says how many days apart lessons arrive
and whether the chemistry meeting waits for both of a pair to finish their track.

Revision ID: 5d2a8c7e41b9
Revises: 6d2a9e3f1c47
Create Date: 2026-12-11 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "5d2a8c7e41b9"
down_revision: str | None = "6d2a9e3f1c47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lesson_every_days", sa.Integer(), server_default="2", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "preparation",
                sa.Enum("recommend", "wait", name="preparationrule", native_enum=False, length=20),
                server_default="recommend",
                nullable=False,
            )
        )
        batch_op.create_check_constraint("lesson_every_days_positive", "lesson_every_days > 0")
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lesson", sa.Integer(), nullable=True))
    op.create_table(
        "lesson_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_lesson_progress_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_lesson_progress_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_progress")),
        sa.UniqueConstraint(
            "participant_id",
            "resource_id",
            name=op.f("uq_lesson_progress_participant_id_resource_id"),
        ),
    )
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lesson_progress_participant_id"), ["participant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_progress_participant_id"))
    op.drop_table("lesson_progress")
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.drop_column("lesson")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_constraint("lesson_every_days_positive", type_="check")
        batch_op.drop_column("preparation")
        batch_op.drop_column("lesson_every_days")
