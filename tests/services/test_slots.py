"""Suggested meeting times land inside both people's working hours, on their own wall clocks,
whichever zones they are in and across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.slots import NOTICE, STEP, WITHIN, Person, WorkingHours, suggest

QUIET = (19, 8)
ZONES = (
    "Asia/Kolkata",
    "America/Los_Angeles",
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kathmandu",  # UTC+05:45
    "Pacific/Chatham",  # UTC+12:45 / +13:45
    "America/St_Johns",  # UTC-03:30 / -02:30
    "UTC",
)


def inside(at: datetime, minutes: int, person: Person, quiet: tuple[int, int]) -> bool:
    """Worked out separately from the code under test: every minute of the meeting, on the
    person's wall clock, is a working minute of a working day and not a quiet one."""
    place = ZoneInfo(person.tz or "UTC")
    start, stop = quiet
    for offset in range(minutes):
        local = (at + timedelta(minutes=offset)).astimezone(place)
        if local.weekday() not in person.hours.days or local.date() != at.astimezone(place).date():
            return False
        if not person.hours.start <= local.time() < person.hours.end:
            return False
        hour = local.hour
        if start != stop and (
            start <= hour < stop if start < stop else hour >= start or hour < stop
        ):
            return False
    return True


def hours_of(start: int, length: int, days: frozenset[int]) -> WorkingHours:
    """Hours from `start` (in half hours from midnight) lasting `length` half hours."""
    begin = start * 30
    end = min(begin + length * 30, 24 * 60 - 1)
    return WorkingHours(time(begin // 60, begin % 60), time(end // 60, end % 60), days)


people = st.builds(
    Person,
    tz=st.sampled_from(ZONES),
    hours=st.builds(
        hours_of,
        start=st.integers(0, 40),
        length=st.integers(1, 30),
        days=st.frozensets(st.integers(0, 6), min_size=1),
    )
    | st.just(WorkingHours()),
)


@settings(max_examples=150, deadline=None)
@given(
    first=people,
    second=people,
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.sampled_from([30, 45, 60, 90]),
    ahead=st.integers(0, 20),
    quiet=st.tuples(st.integers(0, 23), st.integers(0, 23)),
)
def test_every_suggestion_lies_inside_both_peoples_hours(
    first: Person,
    second: Person,
    now: datetime,
    minutes: int,
    ahead: int,
    quiet: tuple[int, int],
) -> None:
    earliest = now.date() + timedelta(days=ahead)
    found = suggest(
        now=now,
        people=[first, second],
        minutes=minutes,
        earliest=earliest,
        quiet=quiet,
        count=5,
    )
    assert len(found) <= 5 and found == sorted(found)
    for later, sooner in zip(found[1:], found, strict=False):
        assert later - sooner >= timedelta(hours=20)  # one a day
    for at in found:
        looked_from = max(now + NOTICE, datetime.combine(earliest, time(0), UTC))
        assert now + NOTICE <= at <= looked_from + STEP + WITHIN
        for person in (first, second):
            assert at.astimezone(ZoneInfo(person.tz or "UTC")).date() >= earliest
            assert inside(at, minutes, person, quiet), (at, person)


@settings(max_examples=60, deadline=None)
@given(
    first=st.sampled_from(ZONES),
    second=st.sampled_from(ZONES),
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
)
def test_the_first_suggestion_is_the_earliest_half_hour_that_fits(
    first: str, second: str, now: datetime
) -> None:
    pair = [Person(first), Person(second)]
    found = suggest(now=now, people=pair, minutes=30, earliest=now.date(), quiet=QUIET, count=1)
    at = (now + NOTICE).replace(minute=0, second=0, microsecond=0)
    earliest_fit = None
    while at <= now + WITHIN:
        on_or_after = all(at.astimezone(ZoneInfo(p.tz or "UTC")).date() >= now.date() for p in pair)
        if at >= now + NOTICE and on_or_after and all(inside(at, 30, p, QUIET) for p in pair):
            earliest_fit = at
            break
        at += STEP
    assert found == ([earliest_fit] if earliest_fit else [])


def test_london_and_new_york_across_the_gap_between_their_clock_changes() -> None:
    # America moves its clocks on 8 March 2026, Britain on 29 March: for three weeks New
    # York's 09:00 is 13:00 in London, not 14:00, and the common morning starts an hour sooner.
    thursday = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    found = suggest(
        now=thursday,
        people=[Person("Europe/London"), Person("America/New_York")],
        minutes=60,
        earliest=thursday.date(),
        quiet=QUIET,
        count=3,
    )
    assert found == [
        datetime(2026, 3, 5, 14, 0, tzinfo=UTC),  # 14:00 London, 09:00 New York (EST)
        datetime(2026, 3, 6, 14, 0, tzinfo=UTC),
        datetime(2026, 3, 9, 13, 0, tzinfo=UTC),  # Monday: 13:00 London, 09:00 New York (EDT)
    ]


def test_kolkata_and_los_angeles() -> None:
    thursday = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    kolkata, los_angeles = Person("Asia/Kolkata"), Person("America/Los_Angeles")
    # Office hours in both: no half hour is shared, so nothing is suggested.
    assert (
        suggest(
            now=thursday,
            people=[kolkata, los_angeles],
            minutes=30,
            earliest=thursday.date(),
            quiet=QUIET,
        )
        == []
    )
    # An early start in Kolkata and an evening in Los Angeles meet, before and after
    # Los Angeles moves its clocks (8 March): 07:00 in Kolkata is 17:30, then 18:30, there.
    early = Person("Asia/Kolkata", WorkingHours(time(7, 0), time(15, 30)))
    evening = Person("America/Los_Angeles", WorkingHours(time(16, 0), time(21, 0)))
    found = suggest(
        now=thursday,
        people=[early, evening],
        minutes=60,
        earliest=thursday.date(),
        quiet=(22, 7),
        count=4,
    )
    assert found == [
        datetime(2026, 3, 6, 1, 30, tzinfo=UTC),  # Fri 07:00 Kolkata, Thu 17:30 Los Angeles
        datetime(2026, 3, 10, 1, 30, tzinfo=UTC),  # Tue 07:00 Kolkata, Mon 18:30 Los Angeles
        datetime(2026, 3, 11, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 12, 1, 30, tzinfo=UTC),
    ]
    assert [f"{at.astimezone(ZoneInfo('America/Los_Angeles')):%a %H:%M}" for at in found[:2]] == [
        "Thu 17:30",
        "Mon 18:30",
    ]


def test_quiet_hours_and_the_earliest_day_are_kept() -> None:
    monday = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    night_owls = [Person("UTC", WorkingHours(time(0, 0), time(23, 30)))] * 2
    found = suggest(
        now=monday, people=night_owls, minutes=60, earliest=date(2026, 1, 7), quiet=(19, 8)
    )
    assert found == [datetime(2026, 1, d, 8, 0, tzinfo=UTC) for d in (7, 8, 9)]


def test_working_hours_in_words() -> None:
    assert WorkingHours().words() == "09:00–17:30, Monday to Friday"
    assert WorkingHours(days=frozenset({0, 2})).words() == "09:00–17:30, Monday, Wednesday"


def test_a_cadence_longer_than_four_weeks_still_finds_times() -> None:
    # A 60-day cadence: the first day lies beyond WITHIN of today, and times are still found.
    monday = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    found = suggest(
        now=monday,
        people=[Person("Europe/Berlin"), Person("Europe/London")],
        minutes=60,
        earliest=date(2026, 3, 6),
        quiet=QUIET,
        count=2,
    )
    assert found == [datetime(2026, 3, 6, 9, 0, tzinfo=UTC), datetime(2026, 3, 9, 9, 0, tzinfo=UTC)]
