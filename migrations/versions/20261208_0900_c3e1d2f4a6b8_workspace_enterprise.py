"""workspace enterprise

The Enterprise Grid org a workspace belongs to, learnt from Slack's requests, so a team of an
org that installed the app org-wide finds the org's bot token. Existing workspaces are not in
an org as far as the app knows: the column starts empty and fills from their next request.

Revision ID: c3e1d2f4a6b8
Revises: a5f662825354
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3e1d2f4a6b8"
down_revision: str | None = "a5f662825354"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(sa.Column("enterprise_id", sa.String(length=32), nullable=True))
        batch.create_index(batch.f("ix_workspace_enterprise_id"), ["enterprise_id"])


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.drop_index(batch.f("ix_workspace_enterprise_id"))
        batch.drop_column("enterprise_id")
