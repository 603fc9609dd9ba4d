"""safe space workspace

The workspace a safe space's channel is in, for a programme of an Enterprise Grid org that
installed the app org-wide: the programme spans the org's workspaces, a channel lives in one,
and calls about it with the org's token must name that one. Existing spaces belong to
single-workspace programmes: the column starts empty, which means "the programme's own".

Revision ID: d4f2a7c91e3b
Revises: c3e1d2f4a6b8
Create Date: 2026-12-08 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4f2a7c91e3b"
down_revision: str | None = "c3e1d2f4a6b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("safe_space") as batch:
        batch.add_column(sa.Column("workspace_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("safe_space") as batch:
        batch.drop_column("workspace_id")
