"""Trigger ids: handed out with each interaction, valid for 3 s and usable once."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox.double.errors import SlackError

TRIGGER_LIFETIME_SECONDS = 3.0


@dataclass
class _Trigger:
    user_id: str | None
    issued_at: float
    used: bool = False
    team_id: str | None = None  # the workspace it was used in: an org-wide token's calls go there


class TriggerRegistry:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._triggers: dict[str, _Trigger] = {}
        self._counter = itertools.count(1)

    def issue(self, user_id: str | None = None, *, team_id: str | None = None) -> str:
        serial = f"{next(self._counter)}.{secrets.randbelow(10**10):010d}"
        trigger_id = f"{serial}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = _Trigger(user_id, self.clock(), team_id=team_id)
        return trigger_id

    def team_of(self, trigger_id: str) -> str | None:
        trigger = self._triggers.get(trigger_id)
        return trigger.team_id if trigger else None

    def register(self, trigger_id: str, user_id: str | None = None) -> None:
        """Accept a trigger id minted elsewhere (a load generator in another process)."""
        self._triggers[trigger_id] = _Trigger(user_id, self.clock())

    def exchange(self, trigger_id: str) -> str | None:
        """Use a trigger id up; the user it was issued for."""
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - trigger.issued_at > TRIGGER_LIFETIME_SECONDS:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger.user_id
