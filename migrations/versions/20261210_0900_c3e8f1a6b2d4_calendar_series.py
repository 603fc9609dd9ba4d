"""calendar series

The agreement's cadence as one recurring event in the pair's calendars: a calendar event of
a new kind, "series", that repeats every so many days until the agreement's end. The kind
column stores plain strings (not a native enum), so the new kind needs no type change; the
two new columns hold the series' rule and stay empty for single meetings.

Revision ID: c3e8f1a6b2d4
Revises: b7c4e2a91f05
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "c3e8f1a6b2d4"
down_revision: str | None = "b7c4e2a91f05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("every_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("until", bot.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM calendar_event WHERE kind = 'series'")
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.drop_column("until")
        batch_op.drop_column("every_days")
