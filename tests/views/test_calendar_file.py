"""The .ics file of a meeting reads back, with two independent parsers, as the same meeting at
the same UTC instants; a move keeps the UID and raises the SEQUENCE; a cancellation says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import vobject
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.models import CalendarKind, PairStatus, Role
from bot.services.calendar import CalendarEntry
from bot.services.pairs import Member, PairFacts
from bot.views.calendar import calendar_file, ics
from tests.ics_check import framing, read_back

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


# The agreement's cadence as one series: Mondays at 09:00 UTC (10:00 in Berlin until its clocks
# go forward on 29 March, 11:00 after; 14:30 in Kolkata throughout), every two weeks until the
# agreement's end date.
FIRST = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
UNTIL = datetime(2026, 5, 31, 23, 59, 59, tzinfo=UTC)
SERIES = replace(
    ENTRY,
    uid="series-9.t0demo@reverse-mentoring",
    kind=CalendarKind.SERIES,
    starts_at=FIRST,
    minutes=60,
    where="",
    every_days=14,
    until=UNTIL,
)


def rrule_of(content: bytes) -> dict[str, str]:
    """The RRULE line's parts, as the strict line check unfolds it (their order is free)."""
    [line] = [u for u in framing(content) if u.startswith("RRULE:")]
    return dict(part.split("=", 1) for part in line.removeprefix("RRULE:").split(";"))


def occurrences(content: bytes) -> list[datetime]:
    """The series' starts as two independent readers expand its RRULE; they must agree."""
    [event] = Calendar.from_ical(content).walk("VEVENT")
    by_icalendar = list(
        rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.decoded("DTSTART"))
    )
    [vevent] = vobject.readOne(content.decode()).vevent_list
    by_vobject = list(vevent.getrruleset(addRDate=True))
    assert by_icalendar == by_vobject
    return by_icalendar


def test_a_series_repeats_every_cadence_until_the_end_date_across_a_clock_change() -> None:
    content = ics(SERIES)
    read = read_back(content)
    assert (read.method, read.status, read.uid, read.sequence) == (
        "PUBLISH",
        "CONFIRMED",
        SERIES.uid,
        0,
    )
    assert (read.starts_at, read.ends_at) == (FIRST, FIRST + timedelta(hours=1))
    assert rrule_of(content) == {"FREQ": "WEEKLY", "INTERVAL": "2", "UNTIL": "20260531T235959Z"}
    starts = occurrences(content)
    assert starts == [FIRST + timedelta(days=14 * n) for n in range(6)]  # 16 Mar ... 25 May
    assert all(at.utcoffset() == timedelta(0) and at <= UNTIL for at in starts)
    assert starts[-1] + timedelta(days=14) > UNTIL
    # The same UTC instant each time: Berlin's wall clock moves with its clock change.
    berlin = [f"{at.astimezone(ZoneInfo('Europe/Berlin')):%H:%M}" for at in starts]
    assert berlin == ["10:00", "11:00", "11:00", "11:00", "11:00", "11:00"]
    assert read.summary == "Mentoring sessions: Mia, the <mentor> and Eve; Exec"
    assert "every 14 days until 31 May 2026" in read.description
    assert "file of its own" in read.description
    assert "secret goals" not in content.decode()
    shared = calendar_file(SERIES)
    assert shared.filename == "mentoring-series-2026-03-16.ics"
    assert "every 14 days from <!date^1773651600^" in shared.comment


def test_a_cadence_of_days_repeats_daily_and_the_last_day_counts() -> None:
    every_ten = replace(SERIES, every_days=10, until=datetime(2026, 4, 5, 23, 59, 59, tzinfo=UTC))
    content = ics(every_ten)
    read_back(content)
    assert rrule_of(content) == {"FREQ": "DAILY", "INTERVAL": "10", "UNTIL": "20260405T235959Z"}
    assert occurrences(content) == [FIRST + timedelta(days=d) for d in (0, 10, 20)]


def test_a_cancelled_series_says_cancel_for_the_whole_series() -> None:
    cancelled = replace(SERIES, sequence=1, cancelled=True)
    content = ics(cancelled)
    read = read_back(content)
    assert (read.method, read.status, read.uid, read.sequence) == (
        "CANCEL",
        "CANCELLED",
        SERIES.uid,
        1,
    )
    assert "RECURRENCE-ID" not in content.decode()  # the whole series, not one occurrence
    assert rrule_of(content)["UNTIL"] == "20260531T235959Z"
    shared = calendar_file(cancelled)
    assert shared.filename == "mentoring-series-2026-03-16-cancelled.ics"
    assert "series of sessions is cancelled" in shared.comment
