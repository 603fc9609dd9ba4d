"""balance answers

After each logged session each of the pair may say, privately, who did most of the teaching:
one answer per person and session, changed in place until the pair's next session. Only the
drift check reads them (two sessions in a row taught by the mentee); leads see a count of
pairs drifting, never an answer.

Revision ID: 6d2a8e4f1b37
Revises: 2b7d9e4c1a60
Create Date: 2026-12-11 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "6d2a8e4f1b37"
down_revision: str | None = "2b7d9e4c1a60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "balance_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "taught",
            sa.Enum("mentor", "mentee", "even", name="taught", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("answered_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_balance_answer_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["session_log.id"],
            name=op.f("fk_balance_answer_session_id_session_log"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_balance_answer")),
        sa.UniqueConstraint(
            "session_id", "participant_id", name=op.f("uq_balance_answer_session_id_participant_id")
        ),
    )
    with op.batch_alter_table("balance_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_balance_answer_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("balance_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_balance_answer_session_id"))
    op.drop_table("balance_answer")
