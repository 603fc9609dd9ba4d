"""Meeting times that suit both people: inside each one's working hours in their own time zone,
outside the programme's quiet hours, one a day. Pure: the caller passes the moment and the rules,
so a test can walk it across any pair of zones and any daylight-saving change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.services.quiet import zone

STEP = timedelta(minutes=30)  # suggestions start on the half hour (UTC)
NOTICE = timedelta(hours=2)  # never sooner than this from now
ONE_A_DAY = timedelta(hours=20)  # after a suggestion, the next comes on a later day
WITHIN = timedelta(days=28)  # how far to look from the earliest day (or from now)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS = frozenset(range(5))


@dataclass(frozen=True)
class WorkingHours:
    """When a person meets, on their own wall clock: from `start` to `end` on `days` (0 is
    Monday). Without hours of their own, a person works 09:00–17:30 on weekdays."""

    start: time = time(9, 0)
    end: time = time(17, 30)
    days: frozenset[int] = field(default=WEEKDAYS)

    def words(self) -> str:
        """'09:00–17:30, Monday to Friday'."""
        if self.days == WEEKDAYS:
            days = "Monday to Friday"
        else:
            days = ", ".join(DAY_NAMES[d] for d in sorted(self.days))
        return f"{self.start:%H:%M}–{self.end:%H:%M}, {days}"


DEFAULT_HOURS = WorkingHours()


@dataclass(frozen=True)
class Person:
    """One side of the meeting: their time zone and their working hours."""

    tz: str | None
    hours: WorkingHours = DEFAULT_HOURS


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _quiet_spans(start: int, end: int) -> list[tuple[int, int]]:
    """Quiet hours as spans of minutes in a day; from `start` o'clock to `end`, maybe across
    midnight; none when they are equal (as bot.services.quiet reads them)."""
    if start == end:
        return []
    if start < end:
        return [(start * 60, end * 60)]
    return [(start * 60, 24 * 60), (0, end * 60)]


def fits(
    starts_at: datetime, minutes: int, person: Person, *, quiet: tuple[int, int], earliest: date
) -> bool:
    """Whether the meeting lies inside this person's working hours on one of their days, on
    their own wall clock, on or after `earliest`, and out of the quiet hours."""
    place = zone(person.tz)
    begin = starts_at.astimezone(place)
    end = (starts_at + timedelta(minutes=minutes)).astimezone(place)
    if begin.date() < earliest or begin.weekday() not in person.hours.days:
        return False
    if end.date() != begin.date() or end.utcoffset() != begin.utcoffset():
        return False  # past midnight, or across a clock change
    low, high = _minutes(begin.time()), _minutes(end.time())
    if low < _minutes(person.hours.start) or high > _minutes(person.hours.end):
        return False
    return not any(low < q_end and q_start < high for q_start, q_end in _quiet_spans(*quiet))


def _first_step(at: datetime) -> datetime:
    """The first half hour (UTC) at or after `at`."""
    at = at.astimezone(UTC)
    floor = at.replace(minute=0, second=0, microsecond=0)
    while floor < at:
        floor += STEP
    return floor


def suggest(
    *,
    now: datetime,
    people: Sequence[Person],
    minutes: int,
    earliest: date,
    quiet: tuple[int, int],
    count: int = 3,
) -> list[datetime]:
    """The next `count` starts (UTC), one a day, at which a meeting of `minutes` fits every
    person (see `fits`), no sooner than NOTICE from `now` and within WITHIN of where the
    search starts (so a cadence longer than WITHIN still finds times). Fewer, or none, when
    their hours hardly meet."""
    # The earliest day starts at most 14 hours before UTC's midnight (UTC+14 is the widest).
    day_begins = datetime.combine(earliest, time(0), UTC) - timedelta(hours=14)
    at = _first_step(max(now + NOTICE, day_begins))
    last = at + WITHIN
    found: list[datetime] = []
    while at <= last and len(found) < count:
        if all(fits(at, minutes, p, quiet=quiet, earliest=earliest) for p in people):
            found.append(at)
            at = _first_step(at + ONE_A_DAY)
        else:
            at += STEP
    return found
