"""Not nagging: a person's quiet hours in their own time zone, and their weekly budget."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BUDGET_WINDOW = timedelta(days=7)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_quiet(hour: int, start: int, end: int) -> bool:
    """Quiet from `start` o'clock until `end` o'clock local time; the span may cross midnight."""
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def after_quiet_hours(now: datetime, tz: str | None, start: int, end: int) -> datetime:
    """`now` if it is not quiet where the person is, else the moment their quiet hours end."""
    local = now.astimezone(zone(tz))
    if not is_quiet(local.hour, start, end):
        return now
    wake = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if wake <= local:
        wake = (local + timedelta(days=1)).replace(hour=end, minute=0, second=0, microsecond=0)
    # Rebuild from the wall-clock fields so a daylight-saving change in between is honoured.
    wake = datetime(wake.year, wake.month, wake.day, end, tzinfo=zone(tz))
    return wake.astimezone(UTC)


def after_budget(sent: Sequence[datetime], budget: int, now: datetime) -> datetime:
    """`now` if fewer than `budget` budgeted messages reached the person in the last seven
    days, else the moment the oldest of the newest `budget` leaves the window."""
    recent = sorted(t for t in sent if t > now - BUDGET_WINDOW)
    if len(recent) < budget:
        return now
    return recent[-budget] + BUDGET_WINDOW
