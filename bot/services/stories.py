"""Success stories: a participant shares one with consent; a lead approves or declines it,
then publishes an approved one to a channel, once, with the author's name only if the author
chose that."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import rowcount
from bot.ids import Field
from bot.models import (
    Participant,
    Programme,
    Story,
    StoryStatus,
)
from bot.services.errors import Refused
from bot.services.programmes import (
    joined_programmes,
    signed_up_participant,
    with_programme_and_author,
)

MAX_TITLE = 150
MAX_TEXT = 3000
WAITING = (StoryStatus.SUBMITTED, StoryStatus.APPROVED)


class StoryError(Refused):
    """Something the person can fix or should know; the message says which."""


@dataclass(frozen=True)
class StoryInput:
    programme_id: int
    title: str
    text: str
    show_name: bool


@dataclass(frozen=True)
class StoryView:
    id: int
    programme: str
    title: str
    text: str
    author: str | None  # None: the author asked to stay anonymous
    status: StoryStatus
    participant_id: int
    programme_id: int


async def story_programmes(
    session: AsyncSession, *, team_id: str, user_id: str
) -> list[tuple[int, str]]:
    """(id, name) of the programmes the person is in and can share a story from."""
    return await joined_programmes(session, team_id=team_id, user_id=user_id, open_only=True)


def validate_story(
    form: dict[str, object], programme_ids: list[int]
) -> StoryInput | dict[str, str]:
    """The typed story, or the errors to show on the form's fields."""
    errors: dict[str, str] = {}
    title = str(form.get(Field.STORY_TITLE) or "").strip()
    text = str(form.get(Field.STORY_TEXT) or "").strip()
    consent = form.get(Field.CONSENT)
    if not isinstance(consent, list):  # ticked boxes come as a list of values
        consent = []
    raw_programme = str(form.get(Field.PROGRAMME) or "")
    if len(programme_ids) == 1 and not raw_programme:
        raw_programme = str(programme_ids[0])
    if not raw_programme.isdigit() or int(raw_programme) not in programme_ids:
        errors[Field.PROGRAMME] = "Pick the programme your story comes from."
    if not title:
        errors[Field.STORY_TITLE] = "Give your story a title."
    elif len(title) > MAX_TITLE:
        errors[Field.STORY_TITLE] = f"Keep the title to {MAX_TITLE} characters."
    if len(text) < 20:
        errors[Field.STORY_TEXT] = "Tell the story in a sentence or two at least."
    elif len(text) > MAX_TEXT:
        errors[Field.STORY_TEXT] = f"Keep the story to {MAX_TEXT} characters."
    if "share" not in consent:
        errors[Field.CONSENT] = (
            "Tick the box to let the programme's leads share your story; "
            "without it, keep it between you and your partner."
        )
    if errors:
        return errors
    return StoryInput(int(raw_programme), title, text, "name" in consent)


async def submit(
    session: AsyncSession, *, team_id: str, user_id: str, data: StoryInput, now: datetime
) -> Story:
    participant = await signed_up_participant(
        session, team_id=team_id, programme_id=data.programme_id, user_id=user_id
    )
    if participant is None:
        raise StoryError("Only people in the programme can share a story from it.")
    story = Story(
        programme_id=data.programme_id,
        participant_id=participant.id,
        title=data.title,
        text=data.text,
        show_name=data.show_name,
        status=StoryStatus.SUBMITTED,
        created_at=now,
    )
    session.add(story)
    await session.flush()
    return story


def _view(story: Story, programme: str, author: str) -> StoryView:
    return StoryView(
        story.id,
        programme,
        story.title,
        story.text,
        author if story.show_name else None,
        story.status,
        story.participant_id,
        story.programme_id,
    )


async def for_leads(
    session: AsyncSession, *, team_id: str, programme_ids: Collection[int]
) -> list[StoryView]:
    """Stories of these programmes waiting for a lead (submitted or approved), newest first."""
    query = (
        with_programme_and_author(Story, Participant.display_name, team_id=team_id)
        .where(Story.status.in_(WAITING), Story.programme_id.in_(list(programme_ids)))
        .order_by(Story.created_at.desc(), Story.id.desc())
    )
    return [_view(s, name, author) for s, name, author in await session.execute(query)]


async def _load(session: AsyncSession, *, team_id: str, story_id: int) -> StoryView:
    query = with_programme_and_author(Story, Participant.display_name, team_id=team_id)
    row = (await session.execute(query.where(Story.id == story_id))).first()
    if row is None:
        raise StoryError("That story is no longer there.")
    return _view(*row)


ALREADY = {
    StoryStatus.APPROVED: "That story is already approved.",
    StoryStatus.PUBLISHING: "That story is being published right now.",
    StoryStatus.PUBLISHED: "That story is already published.",
    StoryStatus.DECLINED: "That story was declined.",
    StoryStatus.SUBMITTED: "That story is not approved yet.",
}


async def _move(
    session: AsyncSession,
    *,
    team_id: str,
    story_id: int,
    source: StoryStatus,
    target: StoryStatus,
    values: dict[str, object],
) -> StoryView:
    """Move a story on only if it is still where the lead saw it: two leads, or one double
    click, cannot both move it."""
    moved = await session.execute(
        update(Story)
        .where(
            Story.id == story_id,
            Story.status == source,
            Story.programme_id.in_(select(Programme.id).where(Programme.team_id == team_id)),
        )
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    )
    story = await _load(session, team_id=team_id, story_id=story_id)
    if rowcount(moved) != 1:
        raise StoryError(ALREADY[story.status])
    return story


async def decide(
    session: AsyncSession,
    *,
    team_id: str,
    story_id: int,
    lead_id: str,
    approve: bool,
    now: datetime,
) -> StoryView:
    target = StoryStatus.APPROVED if approve else StoryStatus.DECLINED
    return await _move(
        session,
        team_id=team_id,
        story_id=story_id,
        source=StoryStatus.SUBMITTED,
        target=target,
        values={"decided_by": lead_id, "decided_at": now},
    )


async def start_publishing(session: AsyncSession, *, team_id: str, story_id: int) -> StoryView:
    """Claim an approved story for one post to a channel."""
    return await _move(
        session,
        team_id=team_id,
        story_id=story_id,
        source=StoryStatus.APPROVED,
        target=StoryStatus.PUBLISHING,
        values={},
    )


async def finish_publishing(
    session: AsyncSession,
    *,
    team_id: str,
    story_id: int,
    channel_id: str | None,
    ts: str | None,
) -> None:
    """Published (channel and ts), or back to approved when Slack refused the post."""
    done = channel_id is not None
    await _move(
        session,
        team_id=team_id,
        story_id=story_id,
        source=StoryStatus.PUBLISHING,
        target=StoryStatus.PUBLISHED if done else StoryStatus.APPROVED,
        values={"channel_id": channel_id, "message_ts": ts} if done else {},
    )
