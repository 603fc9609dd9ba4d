"""Times as people read them: Slack's date token (each reader's own zone) and named local times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.services.quiet import zone
from bot.services.slots import DEFAULT_HOURS
from bot.views import blocks
from bot.views.mrkdwn import Mrkdwn, date


def slack_date(at: datetime) -> Mrkdwn:
    """Slack renders this in the time zone of whoever reads it; the fallback is UTC."""
    return date(at)


def local(at: datetime, tz: str | None) -> str:
    """'Tue 06 Jan 15:00 Berlin time', for one named person's time zone."""
    place = zone(tz).key.split("/")[-1].replace("_", " ")
    return f"{at.astimezone(zone(tz)):%a %d %b %H:%M} {place} time"


def slot_options(
    at_times: Sequence[datetime], partner_name: str, partner_tz: str | None
) -> list[Any]:
    """Suggested times as checkbox or radio options: each in the reader's own zone (Slack's
    date token), with the partner's local time beneath."""
    return [
        {
            "text": blocks.md(date(at, "{date_long_pretty}, {time}")),
            "value": str(int(at.timestamp())),
            "description": blocks.plain(
                blocks.clip(f"{local(at, partner_tz)} for {partner_name}", 75)
            ),
        }
        for at in at_times
    ]


def slot_hint(reader_tz: str | None) -> str:
    """Why these times: both people's hours, each in their own zone."""
    return (
        f"Inside both your working hours ({DEFAULT_HOURS.words()}, each in your own time zone; "
        f"yours is {zone(reader_tz).key}) and outside the programme's quiet hours."
    )
