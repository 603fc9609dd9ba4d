"""calendar events

The meetings a pair holds in their own calendars through the .ics files the bot shares: the
agreed chemistry meeting and each booked session, with the sequence number that tells a
calendar a file moves an earlier one, and when it was cancelled. A new table: no rows to bring.

Revision ID: e7b3c5a1f920
Revises: d4f2a7c91e3b
Create Date: 2026-12-09 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "e7b3c5a1f920"
down_revision: str | None = "d4f2a7c91e3b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("chemistry", "session", name="calendarkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("starts_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pair.id"],
            name=op.f("fk_calendar_event_pair_id_pair"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_event")),
    )
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_event_pair_id"), ["pair_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_event_pair_id"))
    op.drop_table("calendar_event")
