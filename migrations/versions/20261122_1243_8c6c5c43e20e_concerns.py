"""concerns

Revision ID: 8c6c5c43e20e
Revises: f661e7bd51ed
Create Date: 2026-11-22 12:43:47.609775
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "8c6c5c43e20e"
down_revision: str | None = "f661e7bd51ed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "concern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="concernstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_concern_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_concern_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern")),
    )
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concern_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_concern_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "concern_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("from_participant", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concern.id"],
            name=op.f("fk_concern_message_concern_id_concern"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_message")),
    )
    with op.batch_alter_table("concern_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concern_message_concern_id"), ["concern_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("concern_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_message_concern_id"))

    op.drop_table("concern_message")
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_programme_id"))
        batch_op.drop_index(batch_op.f("ix_concern_participant_id"))

    op.drop_table("concern")
