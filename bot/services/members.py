"""The workspace's people as Slack shows them: who is still active and since when someone is
not (deactivated in Slack: they have left). Learnt from `user_change` events as they happen
and from a daily pass through users.list, page by page, which also catches what no event said.

The pass is claimed per workspace with a lease in the database, so one replica at a time
pages through a workspace, and one that dies mid-pass leaves its cursor for the next. Every
record is idempotent: the same page or event twice, or an older state after a newer one (by
Slack's `updated`), changes nothing. Plain values in and out; no Slack."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import MemberListing, Programme, ProgrammeStatus, WorkspaceMember
from bot.services.outbox import dialect_insert
from bot.services.workspaces import installed

PASS_EVERY = timedelta(days=1)
LEASE = timedelta(minutes=5)  # a replica renews it with every page it records
# A programme's retention is followed for a year after its end (and a day for the last pass).
FOLLOWED_FOR = timedelta(days=367)


@dataclass(frozen=True)
class Seen:
    """One person as Slack showed them."""

    user_id: str
    active: bool
    counted: bool  # a full member, not a bot, an app or a guest
    updated: int | None = None  # Slack's `updated`, epoch seconds


@dataclass(frozen=True)
class Claimed:
    team_id: str
    cursor: str | None  # None: the pass starts at the first page


async def record(
    session: AsyncSession, *, team_id: str, seen: Sequence[Seen], now: datetime
) -> int:
    """Record what Slack showed; returns how many people changed state (left or came back)."""
    if not seen:
        return 0
    latest = {s.user_id: s for s in seen}  # a page never repeats a person; an event may
    new = [
        {
            "team_id": team_id,
            "user_id": s.user_id,
            "counted": s.counted,
            "first_seen_at": now,
            "last_seen_at": now,
            "left_at": None if s.active else _left_on(s, after=None, now=now),
            "slack_updated": s.updated,
        }
        for s in latest.values()
    ]
    insert = dialect_insert(session)(WorkspaceMember).on_conflict_do_nothing(
        index_elements=["team_id", "user_id"]
    )
    await session.execute(insert, new)
    rows = await session.scalars(
        select(WorkspaceMember)
        .where(WorkspaceMember.team_id == team_id, WorkspaceMember.user_id.in_(latest))
        .order_by(WorkspaceMember.user_id)
        .with_for_update()
    )
    changed = 0
    for row in rows:
        changed += _apply(row, latest[row.user_id], now=now)
    return changed


def _apply(row: WorkspaceMember, seen: Seen, *, now: datetime) -> bool:
    """One person's new state onto their row; True when they left or came back."""
    new, held = seen.updated, row.slack_updated
    if new is not None and held is not None and new < held:
        return False  # older news than what the row holds
    was_active = row.left_at is None
    row.counted = seen.counted
    row.slack_updated = seen.updated if seen.updated is not None else row.slack_updated
    if seen.active:
        row.left_at = None  # re-activated: they are back
    elif was_active:
        row.left_at = _left_on(seen, after=row.last_seen_at, now=now)
    row.last_seen_at = max(row.last_seen_at, now)
    return was_active != seen.active


def _left_on(seen: Seen, *, after: datetime | None, now: datetime) -> datetime:
    """When a person seen deactivated left: Slack's `updated` when it falls between when they
    were last seen active and now (a deactivation updates it), else now."""
    if seen.updated is None:
        return now
    when = datetime.fromtimestamp(seen.updated, UTC)
    if when > now or (after is not None and when < after):
        return now
    return when


async def claim(session: AsyncSession, *, now: datetime, lease: str) -> list[Claimed]:
    """The workspaces whose pass this replica takes now: every installed workspace with a
    programme whose retention is still followed has a pass, and each due one is leased. On
    SQLite the insert comes first, taking the write lock before anything is read."""
    followed = await session.scalars(_followed(now))
    new = [{"team_id": t, "due_at": now} for t in followed]
    if not new:
        return []
    insert = dialect_insert(session)(MemberListing).on_conflict_do_nothing(
        index_elements=["team_id"]
    )
    await session.execute(insert, new)
    rows = await session.scalars(
        select(MemberListing)
        .where(
            MemberListing.team_id.in_([n["team_id"] for n in new]),
            MemberListing.due_at <= now,
            or_(MemberListing.lease_until.is_(None), MemberListing.lease_until < now),
        )
        .order_by(MemberListing.team_id)
        .with_for_update(skip_locked=True)
    )
    claimed = []
    for row in rows:
        row.lease, row.lease_until = lease, now + LEASE
        if row.cursor is None:
            row.pass_started_at = now
        claimed.append(Claimed(row.team_id, row.cursor))
    return claimed


def _followed(now: datetime) -> Select[str]:
    """Installed workspaces with a programme past its draft and under a year past its end."""
    return (
        select(Programme.team_id)
        .where(
            Programme.status != ProgrammeStatus.DRAFT,
            Programme.ends_on >= (now - FOLLOWED_FOR).date(),
            installed(Programme.team_id),
        )
        .distinct()
        .order_by(Programme.team_id)
    )


async def page_listed(
    session: AsyncSession,
    *,
    team_id: str,
    lease: str,
    seen: Sequence[Seen],
    next_cursor: str,
    now: datetime,
) -> bool:
    """Record a page of the pass and move its cursor on (the last page, `next_cursor` empty,
    ends the pass: anyone it never listed has gone too). False, recording nothing, when the
    lease has passed to another replica meanwhile."""
    listing = await _held(session, team_id=team_id, lease=lease)
    if listing is None:
        return False
    await record(session, team_id=team_id, seen=seen, now=now)
    if next_cursor:
        listing.cursor, listing.lease_until = next_cursor, now + LEASE
        return True
    started = listing.pass_started_at or now
    await session.execute(
        update(WorkspaceMember)
        .where(
            WorkspaceMember.team_id == team_id,
            WorkspaceMember.left_at.is_(None),
            WorkspaceMember.last_seen_at < started,
        )
        .values(left_at=started)
        .execution_options(synchronize_session=False)
    )
    listing.first_listed_at = listing.first_listed_at or now
    listing.listed_at = now
    listing.cursor = listing.pass_started_at = None
    listing.due_at = now + PASS_EVERY
    listing.lease = listing.lease_until = None
    return True


async def put_back(
    session: AsyncSession,
    *,
    team_id: str,
    lease: str,
    due_at: datetime,
    start_over: bool = False,
) -> None:
    """Give the pass up until `due_at`, where it is (or from its first page: `start_over`,
    when Slack no longer takes its cursor)."""
    listing = await _held(session, team_id=team_id, lease=lease)
    if listing is None:
        return
    listing.due_at = due_at
    listing.lease = listing.lease_until = None
    if start_over:
        listing.cursor = listing.pass_started_at = None


async def _held(session: AsyncSession, *, team_id: str, lease: str) -> MemberListing | None:
    return await session.scalar(
        select(MemberListing)
        .where(MemberListing.team_id == team_id, MemberListing.lease == lease)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
