"""audit log

Revision ID: 9da7677bd99a
Revises: b011cbc92363
Create Date: 2026-11-22 12:40:09.620086
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "9da7677bd99a"
down_revision: str | None = "b011cbc92363"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.String(length=32), nullable=False),
        sa.Column("view", sa.String(length=40), nullable=False),
        sa.Column("participant_ids", sa.JSON(), nullable=False),
        sa.Column("at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_audit_entry_programme_id_programme"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_team_id"))

    op.drop_table("audit_entry")
