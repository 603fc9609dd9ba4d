"""What listeners and jobs share: settings, database, clock, and short-lived caches."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.services.programme_cache import ProgrammeCache
from bot.slack.profiles import ProfileDirectory


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: Database
    clock: Clock
    profiles: ProfileDirectory
    programmes: ProgrammeCache
