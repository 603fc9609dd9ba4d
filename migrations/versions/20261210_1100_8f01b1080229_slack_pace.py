"""slack pace

Slots for Web API calls, shared by every replica: one row per workspace and method (or, for
chat.postMessage, per channel) with the latest slots given out and any hold a 429 asked for.
An outbox message waiting for its slot keeps the time of it in `outbox.slot_at`.

Revision ID: 8f01b1080229
Revises: afc3dd8b7c87
Create Date: 2026-12-10 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "8f01b1080229"
down_revision: str | None = "afc3dd8b7c87"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_pace",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("last_at", sa.Double(), nullable=False),
        sa.Column("held_until", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "method", "channel", name=op.f("pk_slack_pace")),
    )
    with op.batch_alter_table("slack_pace", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_pace_last_at"), ["last_at"], unique=False)
    # In place, not as a batch copy of the outbox (SQLite adds and drops a column itself):
    # the triggers that delete a deleted pair's or participant's messages name the table.
    op.add_column("outbox", sa.Column("slot_at", bot.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "slot_at")
    with op.batch_alter_table("slack_pace", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_pace_last_at"))
    op.drop_table("slack_pace")
