"""Times as people read them: Slack's date token (each reader's own zone) and named local times."""

from __future__ import annotations

from datetime import datetime

from bot.services.quiet import zone
from bot.views.mrkdwn import Mrkdwn, date


def slack_date(at: datetime) -> Mrkdwn:
    """Slack renders this in the time zone of whoever reads it; the fallback is UTC."""
    return date(at)


def local(at: datetime, tz: str | None) -> str:
    """'Tue 06 Jan 15:00 Berlin time', for one named person's time zone."""
    place = zone(tz).key.split("/")[-1].replace("_", " ")
    return f"{at.astimezone(zone(tz)):%a %d %b %H:%M} {place} time"
