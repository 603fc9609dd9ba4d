"""Every text column of every table has a fate on erasure and on the purge, or a reason to be
kept; a column added without one fails here before it can outlive a person's erasure."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, String, Table, Text

from bot.db import Base
from bot.models import Participant
from bot.services import purge, text_columns
from bot.services.text_columns import COLUMNS, unclassified


def test_every_text_column_is_erased_purged_or_kept_for_a_reason() -> None:
    assert unclassified(Base.metadata) == []


def test_a_new_text_column_without_a_fate_is_caught() -> None:
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table(
        "session_mood",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("participant_id", ForeignKey("participant.id")),
        Column("words", Text),
        Column("tags", JSON),
        Column("colour", String(20)),
    )
    assert unclassified(metadata) == [
        "session_mood.colour",
        "session_mood.tags",
        "session_mood.words",
    ]
    others = [c for c in COLUMNS if c.name != "participant.tz"]
    silent = text_columns.TextColumn(Participant.tz, purged=False)
    assert unclassified(Base.metadata, [*others, silent]) == [
        "participant.tz: kept without a reason"
    ]
    assert unclassified(Base.metadata, [*COLUMNS, COLUMNS[0]]) == [
        f"{COLUMNS[0].name}: listed twice"
    ]


def test_the_purge_knows_which_rows_of_each_purged_table_are_the_programmes() -> None:
    purged = {c.model for c in text_columns.purged_after_closing()}
    assert purged <= purge.rows_of(1).keys()
