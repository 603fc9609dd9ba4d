"""safe spaces

Revision ID: 1b8c24e56def
Revises: 8c6c5c43e20e
Create Date: 2026-11-22 12:53:47.673692
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "1b8c24e56def"
down_revision: str | None = "8c6c5c43e20e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "safe_space",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column(
            "side",
            sa.Enum("mentor", "mentee", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("last_error", sa.String(length=100), nullable=True),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_safe_space_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safe_space")),
        sa.UniqueConstraint("programme_id", "side", name=op.f("uq_safe_space_programme_id_side")),
    )
    with op.batch_alter_table("safe_space", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safe_space_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_safe_space_programme_id"), ["programme_id"], unique=False
        )

    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("leads_in_spaces", sa.Boolean(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("leads_in_spaces")

    with op.batch_alter_table("safe_space", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safe_space_programme_id"))
        batch_op.drop_index(batch_op.f("ix_safe_space_channel_id"))

    op.drop_table("safe_space")
