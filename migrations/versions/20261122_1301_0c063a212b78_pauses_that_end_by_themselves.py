"""pauses that end by themselves

Revision ID: 0c063a212b78
Revises: 801f7f35fa1a
Create Date: 2026-11-22 13:01:53.521795
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0c063a212b78"
down_revision: str | None = "801f7f35fa1a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.drop_column("paused_until")
