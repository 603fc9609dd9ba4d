"""Reading an .ics file back as a calendar would: with icalendar (what wrote it), with vobject
(an independent parser, the one Radicale's CalDAV server uses), and line by line against
RFC 5545's framing; the three must agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import vobject
from icalendar import Calendar


@dataclass(frozen=True)
class ReadBack:
    method: str
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    status: str
    summary: str
    description: str
    location: str | None


def framing(content: bytes) -> list[str]:
    """RFC 5545 §3.1: CRLF line ends, no line over 75 octets; the unfolded content lines."""
    assert content.endswith(b"\r\n")
    lines = content.split(b"\r\n")[:-1]
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, line
    unfolded: list[str] = []
    for line in lines:
        text = line.decode("utf-8")
        if text.startswith((" ", "\t")):
            unfolded[-1] += text[1:]
        else:
            unfolded.append(text)
    assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in unfolded and any(u.startswith("PRODID:") for u in unfolded)
    return unfolded


def read_back(content: bytes) -> ReadBack:
    lines = framing(content)
    # Every time is a UTC instant (a trailing Z), so no calendar has to know our zones.
    for name in ("DTSTART", "DTEND", "DTSTAMP"):
        [line] = [u for u in lines if u.startswith(f"{name}:")]
        assert line.endswith("Z") and len(line) == len(name) + 17, line

    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    first = ReadBack(
        method=str(calendar["METHOD"]),
        uid=str(event["UID"]),
        sequence=int(event["SEQUENCE"]),
        starts_at=event.decoded("DTSTART"),
        ends_at=event.decoded("DTEND"),
        status=str(event["STATUS"]),
        summary=str(event["SUMMARY"]),
        description=str(event["DESCRIPTION"]),
        location=str(event["LOCATION"]) if "LOCATION" in event else None,
    )

    other = vobject.readOne(content.decode("utf-8"))
    [vevent] = other.vevent_list
    second = ReadBack(
        method=other.method.value,
        uid=vevent.uid.value,
        sequence=int(vevent.sequence.value),
        starts_at=vevent.dtstart.value,
        ends_at=vevent.dtend.value,
        status=vevent.status.value,
        summary=vevent.summary.value,
        description=vevent.description.value,
        location=vevent.location.value if hasattr(vevent, "location") else None,
    )
    assert first == second, (first, second)
    assert first.starts_at.utcoffset() == second.starts_at.utcoffset() == UTC.utcoffset(None)
    return first
