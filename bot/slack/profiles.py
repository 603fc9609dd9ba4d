"""Profiles from `users.info`, cached briefly so a burst of requests costs one call per person."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from slack_sdk.web.async_client import AsyncWebClient

from bot.services.people import Profile
from bot.slack.inflight import waiting_on_slack


class ProfileDirectory:
    def __init__(self, *, ttl_seconds: float = 600, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, Profile]] = {}
        self._inflight: dict[tuple[str, str], asyncio.Future[Profile]] = {}

    async def get(
        self, client: AsyncWebClient, *, team_id: str, user_id: str, token: str | None = None
    ) -> Profile:
        """`token` speaks for `team_id` when the client's own does not (sweeps)."""
        key = (team_id, user_id)
        cached = self._cache.get(key)
        if cached and self._clock() - cached[0] < self._ttl:
            return cached[1]
        if key in self._inflight:
            # Concurrent requests for the same person share one users.info call. Waiting for
            # it is waiting on Slack: the gate place goes to other work meanwhile, or the
            # call's owner, queueing for a place when its answer comes, would wait for ever
            # behind waiters that hold every place (bot/slack/inflight.py).
            async with waiting_on_slack():
                return await asyncio.shield(self._inflight[key])
        future: asyncio.Future[Profile] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            response = await client.users_info(user=user_id, token=token or client.token)
            profile = to_profile(response["user"])
            self._cache[key] = (self._clock(), profile)
            future.set_result(profile)
            return profile
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved; each waiter re-raises it
            raise
        finally:
            del self._inflight[key]

    def forget(self, *, team_id: str, user_id: str) -> None:
        self._cache.pop((team_id, user_id), None)


def to_profile(user: dict) -> Profile:
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user["id"]
    )
    return Profile(
        user_id=user["id"],
        display_name=name,
        tz=user.get("tz"),
        is_admin=bool(user.get("is_admin")),
        is_owner=bool(user.get("is_owner")),
        is_bot=bool(user.get("is_bot")),
        deleted=bool(user.get("deleted")),
        team_id=user.get("team_id"),
    )
