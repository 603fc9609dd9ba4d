"""mentee-led choice

A programme setting for who decides the pairs: the lead's matching (as before, the default),
mentees choosing from suggestions, or both; how many days a mentor has to answer a mentee's
request; and when the lead closed the choosing window. Mentees' requests to mentors get a
table of their own: one waiting or agreed request per mentee (a partial unique index), and
the waiting ones indexed by when they lapse, for the sweep that expires them.

Revision ID: b7c4e2a91f05
Revises: e7b3c5a1f920
Create Date: 2026-12-09 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "b7c4e2a91f05"
down_revision: str | None = "e7b3c5a1f920"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("status IN ('open', 'accepted')")
WAITING = sa.text("status = 'open'")


def upgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "matching_mode",
                sa.Enum(
                    "lead", "choose", "both", name="matchingmode", native_enum=False, length=20
                ),
                server_default="lead",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("answer_days", sa.Integer(), server_default="3", nullable=False)
        )
        batch_op.add_column(
            sa.Column("choosing_closed_at", bot.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint("answer_days_positive", "answer_days > 0")
    op.create_table(
        "mentor_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "declined",
                "expired",
                "withdrawn",
                name="requeststatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("mentor_id <> mentee_id", name=op.f("ck_mentor_request_two_people")),
        sa.ForeignKeyConstraint(
            ["mentee_id"],
            ["participant.id"],
            name=op.f("fk_mentor_request_mentee_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["participant.id"],
            name=op.f("fk_mentor_request_mentor_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_mentor_request_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_request")),
        sa.UniqueConstraint(
            "mentee_id", "mentor_id", name=op.f("uq_mentor_request_mentee_id_mentor_id")
        ),
    )
    with op.batch_alter_table("mentor_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentor_request_mentor_id"), ["mentor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mentor_request_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(
            "ix_mentor_request_waiting",
            ["expires_at"],
            unique=False,
            sqlite_where=WAITING,
            postgresql_where=WAITING,
        )
        batch_op.create_index(
            "uq_mentor_request_live_mentee",
            ["mentee_id"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )


def downgrade() -> None:
    op.drop_table("mentor_request")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_constraint("answer_days_positive", type_="check")
        batch_op.drop_column("choosing_closed_at")
        batch_op.drop_column("answer_days")
        batch_op.drop_column("matching_mode")
