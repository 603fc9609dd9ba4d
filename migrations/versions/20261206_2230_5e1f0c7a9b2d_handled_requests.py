"""handled requests

Each request from Slack that the app acted on leaves its natural key here for a day, so a
retry or a replay of the same signed request is recognised and changes nothing.

Revision ID: 5e1f0c7a9b2d
Revises: a4c30ca58d5a
Create Date: 2026-12-06 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "5e1f0c7a9b2d"
down_revision: str | None = "a4c30ca58d5a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_request",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("received_at", bot.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_handled_request")),
    )
    with op.batch_alter_table("handled_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handled_request_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("handled_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handled_request_received_at"))
    op.drop_table("handled_request")
