"""who wrote each shared text

Erasure removes exactly one person's words, so text the two of a pair share records its
author: each side's agreement goals (either person may edit both), each GROW note (the second
to log a day may replace the first's), and the topics someone typed for a session, which move
out of the session's list into rows of their own. Existing rows get the best author known:
goals are replayed version by version (a side left as it was keeps its author; the first
version's sign-up goals are their owner's), notes and typed topics go to whoever logged the day.

Revision ID: a4c30ca58d5a
Revises: 0c063a212b78
Create Date: 2026-12-06 12:43:11.037323
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4c30ca58d5a"
down_revision: str | None = "0c063a212b78"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROW = ("goal", "reality", "options", "will")
SIDES = ("mentor_goals", "mentee_goals")

programme = sa.table("programme", sa.column("id", sa.Integer), sa.column("topics", sa.JSON))
participant = sa.table("participant", sa.column("id", sa.Integer), sa.column("goals", sa.Text))
pair = sa.table(
    "pair",
    sa.column("id", sa.Integer),
    sa.column("programme_id", sa.Integer),
    sa.column("mentor_id", sa.Integer),
    sa.column("mentee_id", sa.Integer),
)
agreement = sa.table(
    "agreement",
    sa.column("id", sa.Integer),
    sa.column("pair_id", sa.Integer),
    sa.column("version", sa.Integer),
    sa.column("proposed_by", sa.Integer),
    *(sa.column(side, sa.Text) for side in SIDES),
    *(sa.column(f"{side}_by", sa.Integer) for side in SIDES),
)
session_log = sa.table(
    "session_log",
    sa.column("id", sa.Integer),
    sa.column("pair_id", sa.Integer),
    sa.column("topics", sa.JSON),
    sa.column("logged_by", sa.Integer),
    *(sa.column(name, sa.Text) for name in GROW),
    *(sa.column(f"{name}_by", sa.Integer) for name in GROW),
)
session_topic = sa.table(
    "session_topic",
    sa.column("session_id", sa.Integer),
    sa.column("added_by", sa.Integer),
    sa.column("topic", sa.String),
)


def upgrade() -> None:
    op.create_table(
        "session_topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by"],
            ["participant.id"],
            name=op.f("fk_session_topic_added_by_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["session_log.id"],
            name=op.f("fk_session_topic_session_id_session_log"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_topic")),
        sa.UniqueConstraint(
            "session_id",
            "added_by",
            "topic",
            name=op.f("uq_session_topic_session_id_added_by_topic"),
        ),
    )
    with op.batch_alter_table("session_topic", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_topic_session_id"), ["session_id"], unique=False
        )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        for side in SIDES:
            batch_op.add_column(sa.Column(f"{side}_by", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_agreement_{side}_by_participant"),
                "participant",
                [f"{side}_by"],
                ["id"],
                ondelete="SET NULL",
            )
    with op.batch_alter_table("session_log", schema=None) as batch_op:
        for name in GROW:
            batch_op.add_column(sa.Column(f"{name}_by", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_session_log_{name}_by_participant"),
                "participant",
                [f"{name}_by"],
                ["id"],
                ondelete="SET NULL",
            )
    bind = op.get_bind()
    for name in GROW:
        bind.execute(
            session_log.update()
            .where(session_log.c[name] != "")
            .values({f"{name}_by": session_log.c.logged_by})
        )
    _replay_goal_authors(bind)
    _move_typed_topics(bind)


def _replay_goal_authors(bind: sa.Connection) -> None:
    goals = dict(bind.execute(sa.select(participant.c.id, participant.c.goals)).all())
    rows = bind.execute(
        sa.select(agreement, pair.c.mentor_id, pair.c.mentee_id)
        .join(pair, pair.c.id == agreement.c.pair_id)
        .order_by(agreement.c.pair_id, agreement.c.version)
    ).mappings()
    shown: dict[int, dict[str, tuple[str, int | None]]] = {}
    for row in rows:
        owners = {"mentor_goals": row["mentor_id"], "mentee_goals": row["mentee_id"]}
        before = shown.get(row["pair_id"]) or {
            side: (goals.get(owner) or "", owner) for side, owner in owners.items()
        }
        authors = {}
        for side in SIDES:
            text, (earlier, author) = row[side] or "", before[side]
            authors[side] = (
                text,
                None if not text else author if text == earlier else row["proposed_by"],
            )
        shown[row["pair_id"]] = authors
        bind.execute(
            agreement.update()
            .where(agreement.c.id == row["id"])
            .values({f"{side}_by": authors[side][1] for side in SIDES})
        )


def _move_typed_topics(bind: sa.Connection) -> None:
    rows = bind.execute(
        sa.select(
            session_log.c.id, session_log.c.topics, session_log.c.logged_by, programme.c.topics
        )
        .join(pair, pair.c.id == session_log.c.pair_id)
        .join(programme, programme.c.id == pair.c.programme_id)
    ).all()
    for session_id, topics, logged_by, offered in rows:
        typed = [t for t in topics or [] if t not in (offered or [])]
        if not typed:
            continue
        bind.execute(
            session_log.update()
            .where(session_log.c.id == session_id)
            .values(topics=[t for t in topics if t not in typed])
        )
        bind.execute(
            session_topic.insert(),
            [{"session_id": session_id, "added_by": logged_by, "topic": t[:60]} for t in typed],
        )


def downgrade() -> None:
    bind = op.get_bind()
    typed: dict[int, list[str]] = {}
    for session_id, topic in bind.execute(
        sa.select(session_topic.c.session_id, session_topic.c.topic)
    ):
        typed.setdefault(session_id, []).append(topic)
    for session_id, topics in typed.items():
        current = bind.execute(
            sa.select(session_log.c.topics).where(session_log.c.id == session_id)
        ).scalar()
        bind.execute(
            session_log.update()
            .where(session_log.c.id == session_id)
            .values(topics=list(dict.fromkeys([*(current or []), *topics])))
        )
    with op.batch_alter_table("session_log", schema=None) as batch_op:
        for name in GROW:
            batch_op.drop_constraint(
                batch_op.f(f"fk_session_log_{name}_by_participant"), type_="foreignkey"
            )
            batch_op.drop_column(f"{name}_by")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        for side in SIDES:
            batch_op.drop_constraint(
                batch_op.f(f"fk_agreement_{side}_by_participant"), type_="foreignkey"
            )
            batch_op.drop_column(f"{side}_by")
    with op.batch_alter_table("session_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_topic_session_id"))
    op.drop_table("session_topic")
