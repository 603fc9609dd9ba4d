"""Who someone is, as far as the programme cares: profile facts and the lead check."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    user_id: str
    display_name: str
    tz: str | None
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    team_id: str | None = None  # their own workspace (in an Enterprise Grid org, one of many)


def is_lead(profile: Profile, lead_user_ids: Collection[str]) -> bool:
    """Leads are the configured ids plus workspace admins and owners."""
    if profile.deleted or profile.is_bot:
        return False
    return profile.user_id in lead_user_ids or profile.is_admin or profile.is_owner
