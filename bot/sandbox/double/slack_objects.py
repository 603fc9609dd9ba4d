"""The JSON objects the Web API returns for users, channels, teams and views."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from bot.sandbox.double.workspace import Channel, User, Workspace

# Slack labels zones with long names; zoneinfo only knows abbreviations.
_ZONE_NAMES = {
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "IST": "Irish Standard Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "MSK": "Moscow Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
    "JST": "Japan Standard Time",
    "KST": "Korea Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
    "NZST": "New Zealand Standard Time",
    "NZDT": "New Zealand Daylight Time",
    "SAST": "South Africa Standard Time",
}


def time_zone_fields(tz: str, at: dt.datetime | None = None) -> dict[str, Any]:
    """tz, tz_label and tz_offset (seconds east of UTC, at the given moment) like users.info."""
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(zoneinfo.ZoneInfo(tz))
    offset = moment.utcoffset() or dt.timedelta(0)
    abbreviation = moment.tzname() or ""
    if abbreviation == "IST" and tz == "Asia/Kolkata":
        label = "India Standard Time"
    elif abbreviation in _ZONE_NAMES:
        label = _ZONE_NAMES[abbreviation]
    else:
        total = int(offset.total_seconds())
        sign = "+" if total >= 0 else "-"
        hours, minutes = divmod(abs(total) // 60, 60)
        label = f"UTC{sign}{hours:02d}:{minutes:02d}"
    return {"tz": tz, "tz_label": label, "tz_offset": int(offset.total_seconds())}


def user_json(
    user: User, ws: Workspace, *, with_email: bool, include_locale: bool = False
) -> dict[str, Any]:
    first, _, last = user.real_name.partition(" ")
    profile: dict[str, Any] = {
        "real_name": user.real_name,
        "real_name_normalized": user.real_name,
        "display_name": user.display_name,
        "display_name_normalized": user.display_name,
        "first_name": first,
        "last_name": last,
        "status_text": "",
        "status_emoji": "",
        "team": ws.team_id,
    }
    # Slack only shows e-mail addresses to tokens with users:read.email.
    if with_email and user.email:
        profile["email"] = user.email
    if user.is_bot:
        profile.update(bot_id=user.bot_id, api_app_id=ws.app_id, always_active=True)
    body: dict[str, Any] = {
        "id": user.id,
        "team_id": ws.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "color": "9f69e7",
        "real_name": user.real_name,
        **time_zone_fields(user.tz),
        "profile": profile,
        "is_admin": user.is_admin,
        "is_owner": user.is_owner,
        "is_primary_owner": False,
        "is_restricted": user.is_restricted,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": user.updated,
    }
    if include_locale:
        body["locale"] = "en-US"
    return body


def channel_json(
    channel: Channel, ws: Workspace, *, include_num_members: bool = False
) -> dict[str, Any]:
    if channel.is_im:
        return {
            "id": channel.id,
            "created": channel.created,
            "is_im": True,
            "is_org_shared": False,
            "user": channel.user,
            "is_user_deleted": bool(channel.user in ws.users and ws.users[channel.user].deleted),
            "priority": 0,
        }
    body: dict[str, Any] = {
        "id": channel.id,
        "name": channel.name,
        "is_channel": not channel.is_private and not channel.is_mpim,
        "is_group": channel.is_private and not channel.is_mpim,
        "is_im": False,
        "is_mpim": channel.is_mpim,
        "is_private": channel.is_private or channel.is_mpim,
        "created": channel.created,
        "is_archived": channel.is_archived,
        "is_general": channel.is_general,
        "unlinked": 0,
        "name_normalized": channel.name,
        "is_shared": False,
        "is_org_shared": False,
        "is_ext_shared": False,
        "is_pending_ext_shared": False,
        "is_member": ws.bot_user_id in channel.members,
        "creator": channel.creator,
        "topic": {"value": channel.topic, "creator": "", "last_set": 0},
        "purpose": {"value": channel.purpose, "creator": "", "last_set": 0},
        "previous_names": [],
    }
    if include_num_members:
        body["num_members"] = len(channel.members)
    return body


def team_json(ws: Workspace) -> dict[str, Any]:
    return {
        "id": ws.team_id,
        "name": ws.team_name,
        "domain": ws.domain,
        "email_domain": "",
        "url": ws.url,
        "is_verified": False,
        "icon": {"image_default": True},
    }


def public_view(view: dict[str, Any]) -> dict[str, Any]:
    """A stored view as Slack shows it to apps (without the double's own bookkeeping)."""
    return {k: v for k, v in view.items() if k != "user_id"}
