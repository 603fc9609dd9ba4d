"""A meeting as an iCalendar file (RFC 5545), for import into whatever calendar a person uses.
Times are written in UTC, so each calendar shows them in its owner's zone. The file
holds only what the pair already sees in their conversation: names, the programme, the time and
where they said they'd meet; never a note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from icalendar import Calendar, Event

from bot.models import CalendarKind
from bot.services.calendar import CalendarEntry
from bot.views.mrkdwn import Mrkdwn, mrkdwn
from bot.views.when import slack_date

PRODID = "-//Reverse mentoring for Slack//Meetings//EN"
WHAT = {
    CalendarKind.CHEMISTRY: "Chemistry meeting",
    CalendarKind.SESSION: "Mentoring session",
}


@dataclass(frozen=True)
class CalendarFile:
    filename: str
    title: str
    content: bytes
    comment: Mrkdwn  # said with the file in the pair's conversation


def _event(entry: CalendarEntry) -> Event:
    pair = entry.pair
    what = WHAT[entry.kind]
    event = Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", entry.stamp)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.starts_at + timedelta(minutes=entry.minutes))
    event.add("summary", f"{what}: {pair.mentor.name} and {pair.mentee.name}")
    event.add(
        "description",
        f"{what} of your reverse mentoring pair in “{pair.programme_name}”, arranged in "
        "Slack. If it moves, a new file with the same meeting follows there.",
    )
    if entry.where:
        event.add("location", entry.where)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def ics(entry: CalendarEntry) -> bytes:
    """The file: METHOD:PUBLISH for a meeting (a later SEQUENCE replaces an earlier one with
    the same UID), METHOD:CANCEL with STATUS:CANCELLED once it is called off."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if entry.cancelled else "PUBLISH")
    calendar.add_component(_event(entry))
    return calendar.to_ical()


def calendar_file(entry: CalendarEntry) -> CalendarFile:
    what = WHAT[entry.kind]
    day = f"{entry.starts_at:%Y-%m-%d}"
    stem = what.lower().replace(" ", "-")
    if entry.cancelled:
        comment = mrkdwn(
            "🗓️ The {what} of {at} is cancelled. Open this file to take it out of your calendar.",
            what=what.lower(),
            at=slack_date(entry.starts_at),
        )
        return CalendarFile(f"{stem}-{day}-cancelled.ics", f"{what} cancelled", ics(entry), comment)
    if entry.sequence:
        comment = mrkdwn(
            "🗓️ The {what} moved to {at}. Open this file to move it in your calendar too.",
            what=what.lower(),
            at=slack_date(entry.starts_at),
        )
    else:
        comment = mrkdwn(
            "🗓️ {what}, {at}: open this file to add it to your calendar (any calendar).",
            what=what,
            at=slack_date(entry.starts_at),
        )
    return CalendarFile(f"{stem}-{day}.ics", what, ics(entry), comment)
