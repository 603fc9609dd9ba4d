"""The resource library: leads add, edit and remove resources (a link or a short text, for
mentors, mentees or both, with a topic); a sweep posts one to each side's safe space on the
programme's cadence, newest unposted first; newcomers get the starter set (the ground rules and
the GROW prompts) once. Plain values in and out; no Slack."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ids import Field
from bot.models import (
    Programme,
    ProgrammeStatus,
    Resource,
    ResourcePost,
    Role,
    SafeSpace,
    Sweep,
)
from bot.services import outbox, sweeping
from bot.services.errors import Refused
from bot.services.links import link_problem
from bot.services.outbox import Kind, Message
from bot.services.spaces import Space, spaces_of_side
from bot.services.workspaces import installed

AUDIENCES = {
    "mentors": (Role.MENTOR,),
    "mentees": (Role.MENTEE,),
    "both": (Role.MENTOR, Role.MENTEE),
}
POSTING = (ProgrammeStatus.ENROLLING, ProgrammeStatus.MATCHING, ProgrammeStatus.RUNNING)
MAX_LESSON = 20
GROW = (
    "Goal: what do we want from today?",
    "Reality: where are things now, honestly?",
    "Options: what could we try?",
    "Will: what will each of us do before we next meet?",
)


class ResourceError(Refused):
    pass


@dataclass(frozen=True)
class ResourceInput:
    title: str
    url: str | None
    body: str
    audience: str
    topic: str
    lesson: int | None = None  # its place in the preparation track; None: library only


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    url: str | None
    body: str
    audience: str
    topic: str
    lesson: int | None = None


def validate(form: dict[str, object]) -> ResourceInput | dict[str, str]:
    errors: dict[str, str] = {}
    title = str(form.get(Field.RESOURCE_TITLE) or "").strip()
    url = str(form.get(Field.RESOURCE_URL) or "").strip() or None
    body = str(form.get(Field.RESOURCE_BODY) or "").strip()
    audience = str(form.get(Field.RESOURCE_AUDIENCE) or "")
    topic = str(form.get(Field.RESOURCE_TOPIC) or "").strip()
    if not title:
        errors[Field.RESOURCE_TITLE] = "Give it a title."
    elif len(title) > 150:
        errors[Field.RESOURCE_TITLE] = "Keep the title to 150 characters."
    if url is None and not body:
        errors[Field.RESOURCE_URL] = "Add a link, or write the resource in the text box."
    elif url is not None and (problem := link_problem(url)):
        errors[Field.RESOURCE_URL] = problem
    if len(body) > 2500:
        errors[Field.RESOURCE_BODY] = "Keep the text to 2,500 characters."
    if audience not in AUDIENCES:
        errors[Field.RESOURCE_AUDIENCE] = "Choose who it is for."
    if len(topic) > 60:
        errors[Field.RESOURCE_TOPIC] = "Keep the topic to 60 characters."
    raw_lesson = str(form.get(Field.RESOURCE_LESSON) or "").strip()
    lesson = int(raw_lesson) if raw_lesson.isdigit() else None
    if raw_lesson and (lesson is None or not 1 <= lesson <= MAX_LESSON):
        errors[Field.RESOURCE_LESSON] = (
            f"Give its place in the preparation track, 1 to {MAX_LESSON}, or leave it empty."
        )
    if errors:
        return errors
    return ResourceInput(title, url, body, audience, topic, lesson)


def _item(r: Resource) -> Item:
    return Item(r.id, r.title, r.url, r.body, r.audience, r.topic, r.lesson)


async def library(session: AsyncSession, *, programme_id: int) -> list[Item]:
    rows = await session.scalars(
        select(Resource)
        .where(Resource.programme_id == programme_id, Resource.removed_at.is_(None))
        .order_by(Resource.created_at.desc(), Resource.id.desc())
    )
    return [_item(r) for r in rows]


async def _owned(session: AsyncSession, *, team_id: str, resource_id: int) -> Resource:
    row = (
        await session.execute(
            select(Resource)
            .join(Programme, Programme.id == Resource.programme_id)
            .where(
                Resource.id == resource_id,
                Programme.team_id == team_id,
                Resource.removed_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise ResourceError("That resource is no longer in the library.")
    return row


async def get(session: AsyncSession, *, team_id: str, resource_id: int) -> Item:
    return _item(await _owned(session, team_id=team_id, resource_id=resource_id))


async def save(
    session: AsyncSession,
    *,
    team_id: str,
    programme_id: int,
    resource_id: int | None,
    data: ResourceInput,
    lead_id: str,
    now: datetime,
) -> Item:
    if resource_id is None:
        programme = await session.get(Programme, programme_id)
        if programme is None or programme.team_id != team_id:
            raise ResourceError("That programme is no longer there.")
        resource = Resource(programme_id=programme_id, created_by=lead_id, created_at=now)
        session.add(resource)
    else:
        resource = await _owned(session, team_id=team_id, resource_id=resource_id)
    resource.title, resource.url, resource.body = data.title, data.url, data.body
    resource.audience, resource.topic, resource.updated_at = data.audience, data.topic, now
    resource.lesson = data.lesson
    await session.flush()
    return _item(resource)


async def remove(session: AsyncSession, *, team_id: str, resource_id: int, now: datetime) -> Item:
    resource = await _owned(session, team_id=team_id, resource_id=resource_id)
    resource.removed_at = now
    return _item(resource)


async def sweep(session: AsyncSession, *, now: datetime) -> sweeping.Queued:
    """Queue, for each safe space whose cadence has come, the newest resource not yet posted
    there, each space in its own savepoint."""
    await outbox.begin_claim(session)
    query = (
        select(SafeSpace, Programme)
        .join(Programme, Programme.id == SafeSpace.programme_id)
        .where(
            SafeSpace.channel_id.is_not(None),
            Programme.status.in_(POSTING),
            installed(Programme.team_id),
        )
    )
    rows = await sweeping.claimed(
        session, query, sweep=Sweep.RESOURCES, item_id=SafeSpace.id, now=now
    )

    async def post(row: Row[SafeSpace, Programme]) -> int:
        space, programme = row
        last = await session.scalar(
            select(func.max(ResourcePost.queued_at)).where(
                ResourcePost.programme_id == programme.id, ResourcePost.side == space.side
            )
        )
        if last is not None and now - last < timedelta(days=programme.resource_every_days):
            return 0
        posted = select(ResourcePost.resource_id).where(ResourcePost.side == space.side)
        audiences = [a for a, sides in AUDIENCES.items() if space.side in sides]
        resource = await session.scalar(
            select(Resource)
            .where(
                Resource.programme_id == programme.id,
                Resource.removed_at.is_(None),
                Resource.audience.in_(audiences),
                Resource.lesson.is_(None),  # lessons go to each person's DM instead
                Resource.id.not_in(posted),
            )
            .order_by(Resource.created_at.desc(), Resource.id.desc())
            .limit(1)
        )
        if resource is None:
            return 0
        assert space.channel_id is not None  # the query takes only spaces with a channel
        session.add(
            ResourcePost(
                resource_id=resource.id,
                programme_id=programme.id,
                side=space.side,
                queued_at=now,
            )
        )
        message = Message(
            key=f"resource:{resource.id}:{space.side}",
            kind=Kind.RESOURCE,
            team_id=programme.team_id,
            channel_id=space.channel_id,
            params={
                "resource_id": resource.id,
                "programme_id": programme.id,
                "title": resource.title,
                "url": resource.url,
                "body": resource.body,
                "topic": resource.topic,
                "programme": programme.name,
            },
        )
        await session.flush()
        return await outbox.enqueue(session, [message], now=now)

    done = await sweeping.each(
        session, items=rows, step=post, sweep=Sweep.RESOURCES, key=lambda r: r[0].id, now=now
    )
    return sweeping.Queued.of(done)


async def queue_starter_sets(
    session: AsyncSession,
    *,
    programme: Programme,
    spaces: Sequence[Space],
    user_id: str,
    now: datetime,
) -> int:
    """A newcomer's starter set for each of their side's channels, through the outbox: its key
    sends it once however often they sign up, and it waits for nobody who has left."""
    welcome = [
        starter_message(programme, user_id=user_id, channel_id=space.channel_id, side=space.side)
        for space in spaces
        if space.channel_id
    ]
    return await outbox.enqueue(session, welcome, now=now)


async def welcome_newcomer(
    session: AsyncSession, *, programme_id: int, side: Role, user_id: str, now: datetime
) -> list[Space]:
    """A first sign-up's side of the safe spaces, to invite them to, with their starter set
    queued: in the sign-up's own transaction, so joining is one unit of work."""
    theirs, programme = await spaces_of_side(session, programme_id=programme_id, side=side)
    if programme is not None:
        await queue_starter_sets(
            session, programme=programme, spaces=theirs, user_id=user_id, now=now
        )
    return theirs


def starter_message(programme: Programme, *, user_id: str, channel_id: str, side: Role) -> Message:
    """The newcomer's starter set, as the view renders it (sent when they first join)."""
    return Message(
        key=f"starter:{programme.id}:{user_id}",
        kind=Kind.STARTER_SET,
        team_id=programme.team_id,
        channel_id=user_id,
        params={
            "programme_id": programme.id,
            "programme": programme.name,
            "ground_rules": programme.ground_rules,
            "grow": list(GROW),
            "space": channel_id,
            "side": "mentors" if side == Role.MENTOR else "mentees",
        },
    )
