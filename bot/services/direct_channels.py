"""The app's DM channel with each person, learnt from Slack's answers and kept, so a message
to a person goes to the channel itself and nothing calls conversations.open for them again."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import DirectChannel
from bot.services.outbox import dialect_insert


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


async def remember(session: AsyncSession, *, team_id: str, user_id: str, channel_id: str) -> None:
    statement = dialect_insert(session)(DirectChannel).values(
        team_id=team_id, user_id=user_id, channel_id=channel_id
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "user_id"], set_={"channel_id": channel_id}
        )
    )
