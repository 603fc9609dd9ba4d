"""The app's DM channel with each person, learnt from Slack's answers and kept, so a message
to a person goes to the channel itself and nothing calls conversations.open for them again."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Insert, select, tuple_
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import DirectChannel
from bot.services.outbox import insert_for


def is_user_id(channel: str) -> bool:
    """A user id where a channel may go (a message to it lands in the app's DM with them)."""
    return channel[:1] in ("U", "W")


async def known(
    session: AsyncSession, people: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The DM channel of each (team, user) already learnt."""
    wanted = sorted(set(people))
    if not wanted:
        return {}
    found = await session.execute(
        select(DirectChannel.team_id, DirectChannel.user_id, DirectChannel.channel_id).where(
            tuple_(DirectChannel.team_id, DirectChannel.user_id).in_(wanted)
        )
    )
    return {(team, user): channel for team, user, channel in found}


@dataclass(frozen=True)
class Learnt:
    """A person's DM, as a Slack answer named it."""

    team_id: str
    user_id: str
    channel_id: str


async def remember(session: AsyncSession, learnt: Sequence[Learnt]) -> None:
    """Keep these DMs (the latest name wins), in one call."""
    # One row per person: PostgreSQL refuses to update a row twice in one statement.
    latest = {(d.team_id, d.user_id): d.channel_id for d in learnt}
    if not latest:
        return
    rows = [{"team_id": t, "user_id": u, "channel_id": c} for (t, u), c in sorted(latest.items())]
    await session.execute(_remember(session.get_bind().dialect), rows)


@lru_cache(maxsize=8)
def _remember(dialect: Dialect) -> Insert:
    """remember's upsert, built once per engine without values (see pace._lock)."""
    statement = insert_for(dialect)(DirectChannel)
    return statement.on_conflict_do_update(
        index_elements=["team_id", "user_id"],
        set_={"channel_id": statement.excluded.channel_id},
    )
