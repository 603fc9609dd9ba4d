"""workspace members

Each person of a workspace as Slack last showed them (users.list or a user_change event):
whether they are still active and since when they are not, for programmes' retention beside
the workspace's; and each workspace's pass through users.list (its cursor, when its next page
is due, the replica holding it). Start empty: the first pass fills them.

Revision ID: 6d2a9e3f1c47
Revises: 6d2a9c4e8b13
Create Date: 2026-12-11 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "6d2a9e3f1c47"
down_revision: str | None = "6d2a9c4e8b13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspace_member",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("slack_updated", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_workspace_member")),
    )
    op.create_table(
        "member_listing",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("due_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cursor", sa.String(length=500), nullable=True),
        sa.Column("pass_started_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease", sa.String(length=32), nullable=True),
        sa.Column("lease_until", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_listed_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("listed_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_member_listing")),
    )
    op.create_index(op.f("ix_member_listing_due_at"), "member_listing", ["due_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_member_listing_due_at"), table_name="member_listing")
    op.drop_table("member_listing")
    op.drop_table("workspace_member")
