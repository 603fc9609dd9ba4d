"""Response URLs: where an app answers an interaction, at most 5 times in 30 minutes."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

RESPONSE_URL_MAX_POSTS = 5
RESPONSE_URL_LIFETIME_SECONDS = 30 * 60


@dataclass
class ResponseTarget:
    channel_id: str
    user_id: str
    # The message the interaction came from, so replace_original/delete_original can act on it.
    message_ts: str | None
    issued_at: float
    posts: int = 0
    team_id: str | None = None  # the workspace it was issued in


class ResponseUrlRegistry:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._targets: dict[str, ResponseTarget] = {}

    def issue(
        self,
        channel_id: str,
        user_id: str,
        message_ts: str | None = None,
        team_id: str | None = None,
    ) -> str:
        key = secrets.token_urlsafe(18)
        self._targets[key] = ResponseTarget(
            channel_id, user_id, message_ts, self.clock(), team_id=team_id
        )
        return key

    def get(self, key: str) -> ResponseTarget | None:
        return self._targets.get(key)

    def refusal(self, target: ResponseTarget) -> str | None:
        """Why the URL can take no more posts, or None when it still can."""
        if self.clock() - target.issued_at > RESPONSE_URL_LIFETIME_SECONDS:
            return "expired_url"
        if target.posts >= RESPONSE_URL_MAX_POSTS:
            return "used_url"
        return None
