"""agreed pairs join the momentum ladder

Pairs whose agreement was confirmed before the ladder existed were never given a time to be
looked at, so no sweep would ever claim them. They are due now; the sweep works out their
anchor (the agreement or their latest session) the first time it sees them.

Revision ID: b4e5b3a94d57
Revises: 7278a1339977
Create Date: 2026-11-22 12:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "b4e5b3a94d57"
down_revision: str | None = "7278a1339977"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE pair SET momentum_due_at = :now"
            " WHERE status = 'confirmed' AND paused_at IS NULL AND momentum_due_at IS NULL"
            " AND EXISTS (SELECT 1 FROM agreement"
            " WHERE agreement.pair_id = pair.id AND agreement.status = 'confirmed')"
        ).bindparams(sa.bindparam("now", datetime.now(UTC), type_=bot.db.UTCDateTime()))
    )


def downgrade() -> None:
    # Nothing to undo: a due time is harmless to the schema before this revision.
    pass
