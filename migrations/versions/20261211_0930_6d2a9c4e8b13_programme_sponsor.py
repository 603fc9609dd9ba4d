"""programme sponsor

A programme may name an executive sponsor, who gets a monthly digest of its figures; the
month of the last digest queued keeps each month's to one build. Both empty for existing
programmes: no sponsor, so no digest.

Revision ID: 6d2a9c4e8b13
Revises: 6d2a8e4f1b37
Create Date: 2026-12-11 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6d2a9c4e8b13"
down_revision: str | None = "6d2a8e4f1b37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("sponsor_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("sponsor_digest_month", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.drop_column("sponsor_digest_month")
        batch.drop_column("sponsor_id")
