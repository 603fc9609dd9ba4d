"""direct channels

The app's DM channel with each person, per workspace, as Slack returned it (a message posted
to their user id, a conversations.open), so later messages and files go straight there and
nothing opens the DM again. Starts empty: each id is learnt from the next call that returns it.

Revision ID: 2b7d9e4c1a60
Revises: 8f01b1080229
Create Date: 2026-12-10 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2b7d9e4c1a60"
down_revision: str | None = "8f01b1080229"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "direct_channel",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_direct_channel")),
    )


def downgrade() -> None:
    op.drop_table("direct_channel")
