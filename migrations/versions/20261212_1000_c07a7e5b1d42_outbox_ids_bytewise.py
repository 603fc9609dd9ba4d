"""outbox ids compared byte by byte

On PostgreSQL, the outbox's key and recipient id (identifiers the app makes and Slack's user
ids, never text for people to sort) take the "C" collation: their unique and budget indexes
then compare bytes rather than call the database's locale for every comparison, which made
queuing a sweep's tens of thousands of messages markedly slower under a locale such as
en_US.UTF-8. SQLite compares bytes already. The indexes are rebuilt; no row changes.

Revision ID: c07a7e5b1d42
Revises: 29dfa99c82d9
Create Date: 2026-12-12 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c07a7e5b1d42"
down_revision: str | None = "29dfa99c82d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("key", 200, False), ("recipient_id", 32, True))


def upgrade() -> None:
    _collate(new="C", old=None)


def downgrade() -> None:
    _collate(new="default", old="C")


def _collate(*, new: str, old: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, length, nullable in COLUMNS:
        op.alter_column(
            "outbox",
            name,
            type_=sa.String(length, collation=new),
            existing_type=sa.String(length, collation=old),
            existing_nullable=nullable,
        )
