"""social events

A kick-off, mid-point get-together, closing celebration or other social a lead announces,
with its calendar SEQUENCE and cancellation, and one invite per person asked with their
answer (going or not) and whether the day-before reminder is queued. New tables: no rows to
bring.

Revision ID: 29dfa99c82d9
Revises: 5d2a8c7e41b9
Create Date: 2026-12-11 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "29dfa99c82d9"
down_revision: str | None = "5d2a8c7e41b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "social_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "kick_off",
                "midpoint",
                "closing",
                "other",
                name="socialkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("starts_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column(
            "audience",
            sa.Enum(
                "everyone", "mentors", "mentees", name="audience", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_social_event_minutes_positive")),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_social_event_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_event")),
    )
    with op.batch_alter_table("social_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_event_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "social_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum("going", "not_going", name="rsvp", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("invited_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["social_event.id"],
            name=op.f("fk_social_invite_event_id_social_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_social_invite_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_invite")),
        sa.UniqueConstraint(
            "event_id", "participant_id", name=op.f("uq_social_invite_event_id_participant_id")
        ),
    )
    with op.batch_alter_table("social_invite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_invite_participant_id"), ["participant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("social_invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_invite_participant_id"))
    op.drop_table("social_invite")
    with op.batch_alter_table("social_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_event_programme_id"))
    op.drop_table("social_event")
