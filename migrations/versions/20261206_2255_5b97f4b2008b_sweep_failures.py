"""sweep failures

An item a sweep failed on (a programme, a pair, ...) is left alone for a while, longer each time
it fails again, and forgotten once it succeeds: one row per sweep and item.

Revision ID: 5b97f4b2008b
Revises: 5e1f0c7a9b2d
Create Date: 2026-12-06 22:55:38.522489
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "5b97f4b2008b"
down_revision: str | None = "5e1f0c7a9b2d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sweep_failure",
        sa.Column(
            "sweep",
            sa.Enum(
                "lifecycle",
                "purge",
                "pause_end",
                "momentum",
                "reminders",
                "surveys",
                "survey_reminders",
                "resources",
                name="sweep",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("failed_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retry_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sweep", "item_id", name=op.f("pk_sweep_failure")),
    )


def downgrade() -> None:
    op.drop_table("sweep_failure")
