"""A meeting as an iCalendar file (RFC 5545), for import into whatever calendar a person uses.
Times are written in UTC, so each calendar shows them in its owner's zone. The file
holds only what the pair already sees in their conversation: names, the programme, the time and
where they said they'd meet; never a note. The agreement's cadence comes as one recurring event
(an RRULE ending at the agreement's end date); each booked session still comes as a file of its
own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from bot.models import CalendarKind
from bot.services.calendar import CalendarEntry
from bot.services.socials import SocialEntry
from bot.views.mrkdwn import Mrkdwn, mrkdwn
from bot.views.when import slack_date

PRODID = "-//Reverse mentoring for Slack//Meetings//EN"
WHAT = {
    CalendarKind.CHEMISTRY: "Chemistry meeting",
    CalendarKind.SESSION: "Mentoring session",
    CalendarKind.SERIES: "Mentoring sessions",
}
STEM = {
    CalendarKind.CHEMISTRY: "chemistry-meeting",
    CalendarKind.SESSION: "mentoring-session",
    CalendarKind.SERIES: "mentoring-series",
}


@dataclass(frozen=True)
class CalendarFile:
    filename: str
    title: str
    content: bytes
    comment: Mrkdwn  # said with the file in the pair's conversation


def rule(every_days: int, until: datetime) -> dict[str, Any]:
    """The RRULE of a series: weekly when the cadence is whole weeks (what calendars show as
    "every 2 weeks"), else daily; until the agreement's last instant, in UTC."""
    weeks, days = divmod(every_days, 7)
    if not days:
        return {"freq": "weekly", "interval": weeks, "until": until}
    return {"freq": "daily", "interval": every_days, "until": until}


def _description(entry: CalendarEntry) -> str:
    what, programme = WHAT[entry.kind], entry.pair.programme_name
    if entry.every_days is None or entry.until is None:
        return (
            f"{what} of your reverse mentoring pair in “{programme}”, arranged in "
            "Slack. If it moves, a new file with the same meeting follows there."
        )
    return (
        f"The sessions of your reverse mentoring pair in “{programme}”: every "
        f"{entry.every_days} days until {entry.until:%d %b %Y}, as you agreed in Slack. "
        "Each session you book comes as a file of its own; if your agreement changes, a new "
        "file with the same series follows there."
    )


@dataclass(frozen=True)
class _Version:
    """One version of any event the bot shares, as a calendar reads it."""

    uid: str
    sequence: int
    stamp: datetime
    starts_at: datetime
    minutes: int
    summary: str
    description: str
    location: str
    cancelled: bool
    rrule: dict[str, Any] | None = None


def _event(version: _Version) -> Event:
    event = Event()
    event.add("uid", version.uid)
    event.add("sequence", version.sequence)
    event.add("dtstamp", version.stamp)
    event.add("dtstart", version.starts_at)
    event.add("dtend", version.starts_at + timedelta(minutes=version.minutes))
    if version.rrule is not None:
        event.add("rrule", version.rrule)
    event.add("summary", version.summary)
    event.add("description", version.description)
    if version.location:
        event.add("location", version.location)
    event.add("status", "CANCELLED" if version.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _file(version: _Version) -> bytes:
    """METHOD:PUBLISH for an event (a later SEQUENCE replaces an earlier one with the same
    UID), METHOD:CANCEL with STATUS:CANCELLED once it is called off."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if version.cancelled else "PUBLISH")
    calendar.add_component(_event(version))
    return calendar.to_ical()


def ics(entry: CalendarEntry) -> bytes:
    """The pair's meeting as a file."""
    pair = entry.pair
    every, until = entry.every_days, entry.until
    return _file(
        _Version(
            uid=entry.uid,
            sequence=entry.sequence,
            stamp=entry.stamp,
            starts_at=entry.starts_at,
            minutes=entry.minutes,
            summary=f"{WHAT[entry.kind]}: {pair.mentor.name} and {pair.mentee.name}",
            description=_description(entry),
            location=entry.where,
            cancelled=entry.cancelled,
            rrule=rule(every, until) if every is not None and until is not None else None,
        )
    )


def social_ics(entry: SocialEntry) -> bytes:
    """A lead's kick-off or social as a file: where it is, and the link to join if any."""
    joining = f" Join: {entry.link}" if entry.link else ""
    return _file(
        _Version(
            uid=entry.uid,
            sequence=entry.sequence,
            stamp=entry.stamp,
            starts_at=entry.starts_at,
            minutes=entry.minutes,
            summary=f"{entry.title} ({entry.programme})",
            description=(
                f"{entry.title} of the reverse mentoring programme “{entry.programme}”, "
                f"announced in Slack.{joining} If it changes, a new file with the same event "
                "follows there."
            ),
            location=entry.place or (entry.link or ""),
            cancelled=entry.cancelled,
        )
    )


def social_file(entry: SocialEntry) -> CalendarFile:
    day = f"{entry.starts_at:%Y-%m-%d}"
    if entry.cancelled:
        comment = mrkdwn(
            "🗓️ {title}, {at}, is cancelled. Open this file to take it out of your calendar.",
            title=entry.title,
            at=slack_date(entry.starts_at),
        )
        return CalendarFile(
            f"social-{day}-cancelled.ics", f"{entry.title} cancelled", social_ics(entry), comment
        )
    if entry.sequence:
        comment = mrkdwn(
            "🗓️ {title} changed: now {at}. Open this file to change it in your calendar too.",
            title=entry.title,
            at=slack_date(entry.starts_at),
        )
    else:
        comment = mrkdwn(
            "🗓️ {title}, {at}: open this file to add it to your calendar (any calendar).",
            title=entry.title,
            at=slack_date(entry.starts_at),
        )
    return CalendarFile(f"social-{day}.ics", entry.title, social_ics(entry), comment)


def _series_file(entry: CalendarEntry, day: str) -> CalendarFile:
    stem, until = STEM[entry.kind], entry.until
    assert entry.every_days is not None and until is not None  # a series
    if entry.cancelled:
        comment = mrkdwn(
            "🗓️ Your series of sessions is cancelled. Open this file to take it out of your "
            "calendar."
        )
        name = f"{stem}-{day}-cancelled.ics"
        return CalendarFile(name, "Sessions cancelled", ics(entry), comment)
    comment = mrkdwn(
        "🗓️ Your sessions, every {every} days from {at} until {until:%d %b %Y}: open this file "
        "to add the whole series to your calendar (any calendar). Sessions you book still come "
        "as files of their own.",
        every=entry.every_days,
        at=slack_date(entry.starts_at),
        until=until,
    )
    return CalendarFile(f"{stem}-{day}.ics", "Mentoring sessions", ics(entry), comment)


def calendar_file(entry: CalendarEntry) -> CalendarFile:
    what = WHAT[entry.kind]
    day = f"{entry.starts_at:%Y-%m-%d}"
    stem = STEM[entry.kind]
    if entry.every_days is not None:
        return _series_file(entry, day)
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
