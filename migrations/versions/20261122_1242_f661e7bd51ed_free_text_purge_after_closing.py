"""free text purge after closing

Revision ID: f661e7bd51ed
Revises: 9da7677bd99a
Create Date: 2026-11-22 12:42:28.211483
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "f661e7bd51ed"
down_revision: str | None = "9da7677bd99a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purge_after_days", sa.Integer(), server_default="90", nullable=False)
        )
        batch_op.add_column(
            sa.Column("purged_at", bot.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint("purge_after_days_positive", "purge_after_days >= 1")


def downgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_constraint("purge_after_days_positive", type_="check")
        batch_op.drop_column("purged_at")
        batch_op.drop_column("purge_after_days")
