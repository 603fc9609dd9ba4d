"""The .ics file of a meeting reads back, with two independent parsers, as the same meeting at
the same UTC instants; a move keeps the UID and raises the SEQUENCE; a cancellation says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.models import CalendarKind, PairStatus, Role
from bot.services.calendar import CalendarEntry
from bot.services.pairs import Member, PairFacts
from bot.views.calendar import calendar_file, ics
from tests.ics_check import read_back

MENTOR = Member(1, "U1", "Mia, the <mentor>", Role.MENTOR, "Europe/Berlin", "IT", (), "")
MENTEE = Member(2, "U2", "Eve; Exec", Role.MENTEE, "Asia/Kolkata", "Board", (), "secret goals")
PAIR = PairFacts(
    7, 3, "Digital, 2026", PairStatus.INTRODUCED, MENTOR, MENTEE, 1.0, "", "G1", None, None
)
AT = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # Sunday 00:30 in Berlin, 05:00 in Kolkata
ENTRY = CalendarEntry(
    uid="chemistry-5.t0demo@reverse-mentoring",
    kind=CalendarKind.CHEMISTRY,
    sequence=0,
    starts_at=AT,
    minutes=30,
    cancelled=False,
    pair=PAIR,
    stamp=datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
    where="Room 4, floor 2; or video\nhttps://meet.example/abc",
)


def test_a_meeting_reads_back_at_its_utc_instants() -> None:
    read = read_back(ics(ENTRY))
    assert read.method == "PUBLISH" and read.status == "CONFIRMED"
    assert read.uid == ENTRY.uid and read.sequence == 0
    assert read.starts_at == AT and read.ends_at == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert read.summary == "Chemistry meeting: Mia, the <mentor> and Eve; Exec"
    assert read.location == "Room 4, floor 2; or video\nhttps://meet.example/abc"
    assert "“Digital, 2026”" in read.description
    assert "secret goals" not in ics(ENTRY).decode()


def test_a_move_keeps_the_uid_and_raises_the_sequence() -> None:
    moved = replace(ENTRY, sequence=1, starts_at=datetime(2026, 3, 30, 9, 0, tzinfo=UTC))
    read = read_back(ics(moved))
    assert (read.uid, read.sequence, read.method) == (ENTRY.uid, 1, "PUBLISH")
    assert read.starts_at == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    shared = calendar_file(moved)
    assert shared.filename == "chemistry-meeting-2026-03-30.ics"
    assert "moved to <!date^1774861200^" in shared.comment


def test_a_cancellation_says_cancel() -> None:
    cancelled = replace(ENTRY, sequence=2, cancelled=True, where="")
    read = read_back(ics(cancelled))
    assert (read.method, read.status, read.sequence, read.uid) == (
        "CANCEL",
        "CANCELLED",
        2,
        ENTRY.uid,
    )
    assert read.location is None
    shared = calendar_file(cancelled)
    assert shared.filename.endswith("-cancelled.ics") and "is cancelled" in shared.comment


def test_a_session_is_named_as_one() -> None:
    session = replace(ENTRY, kind=CalendarKind.SESSION, minutes=60, where="")
    read = read_back(ics(session))
    assert read.summary.startswith("Mentoring session:")
    assert read.ends_at == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert calendar_file(session).filename == "mentoring-session-2026-03-28.ics"
