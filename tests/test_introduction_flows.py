"""Introductions go through the outbox: an approval queues them with itself and sends what
Slack's pace allows at once; a 429 (on opening the group DM or on posting in it) puts the
rest off as long as Slack asks, and nothing is lost or sent twice. However many pairs, and
however many replicas send them, conversations.open keeps to its tier."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select, text, update
from sqlalchemy.orm import aliased

from bot.clock import FakeClock
from bot.db import Database
from bot.ids import Action, Command
from bot.models import Outbox, Pair, Participant
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from bot.services.matching import runs
from bot.services.outbox import Kind
from bot.slack.client import build_web_client
from bot.slack.delivery import Sender
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2
from tests.flows import (
    EXEC2,
    channel_of,
    close_enrolment,
    create_programme,
    enrolled_cohort,
    open_enrolment,
    preview,
    seed_people,
)
from tests.scenarios import play

TIER_3 = 50  # conversations.open, per minute and workspace
Mentor, Mentee = aliased(Participant), aliased(Participant)


async def intros(box: Sandbox) -> Counter[str]:
    """Introductions in each pair's group DM."""
    assert box.db is not None
    async with box.db.transaction() as session:
        channels = list(await session.scalars(select(Pair.conversation_id)))
    return Counter(
        {
            c: sum(
                "Meet your reverse mentoring partner" in m["text"] for m in box.double.messages(c)
            )
            for c in channels
            if c
        }
    )


async def introduced_rows(box: Sandbox) -> list[bool]:
    assert box.db is not None
    async with box.db.transaction() as session:
        rows = await session.scalars(select(Pair).order_by(Pair.id))
        return [bool(p.conversation_id and p.intro_ts) for p in rows]


def statuses(box: Sandbox, method: str) -> list[int]:
    return [c.http_status for c in box.double.calls_to(method)]


async def approve(box: Sandbox, *, fail_next: tuple[str, int] | None = None) -> None:
    """The lead matches and approves; Slack answers the approval's first call to a method
    with a 429 when asked to."""
    await box.command(LEAD, Command.ADMIN, "match")
    if fail_next is not None:
        method, retry_after = fail_next
        box.double.fail_next(method, status=429, retry_after=retry_after)
    await box.press(LEAD, preview(box), Action.APPROVE_MATCH)


async def test_introductions_wait_out_a_429_on_opening_and_arrive_once(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await play(sandbox, clock, enrolled_cohort)
    await approve(sandbox, fail_next=("conversations.open", 30))
    assert "2 pairs in “Digital cohort” will be introduced in the next minutes" in (
        sandbox.last_dm(LEAD)
    )
    assert statuses(sandbox, "conversations.open") == [429]  # the second waits as well
    assert await introduced_rows(sandbox) == [False, False]

    clock.advance(seconds=29)
    assert (await sandbox.run_job("deliver")).startswith("deliver: 0 sent")
    clock.advance(seconds=1)
    assert (await sandbox.run_job("deliver")).startswith("deliver: 2 sent")
    assert statuses(sandbox, "conversations.open") == [429, 200, 200]
    assert await introduced_rows(sandbox) == [True, True]
    clock.advance(minutes=5)
    assert (await sandbox.run_job("deliver")).startswith("deliver: 0 sent")
    assert sorted((await intros(sandbox)).values()) == [1, 1]


async def test_an_introduction_refused_with_429_is_posted_later_without_opening_again(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await play(sandbox, clock, enrolled_cohort)
    await approve(sandbox, fail_next=("chat.postMessage", 5))
    assert "Approved. 1 pair in “Digital cohort” was introduced." in sandbox.last_dm(LEAD)
    assert "1 more pair will be introduced" in sandbox.last_dm(LEAD)
    # The pair that went first was refused: its group DM is open with nothing in it yet, and
    # the other pair's has its introduction.
    channels = [channel_of(sandbox, MENTOR, EXEC), channel_of(sandbox, MENTOR2, EXEC2)]
    assert sorted(len(sandbox.double.messages(c)) for c in channels) == [0, 1]

    clock.advance(seconds=5)
    assert (await sandbox.run_job("deliver")).startswith("deliver: 1 sent")
    assert [len(sandbox.double.messages(c)) for c in channels] == [1, 1]
    assert statuses(sandbox, "conversations.open") == [200, 200]  # once per pair
    assert await introduced_rows(sandbox) == [True, True]
    assert sorted((await intros(sandbox)).values()) == [1, 1]


async def test_two_replicas_introduce_a_large_cohort_within_conversations_opens_tier(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    assert sandbox.db is not None and sandbox.deps is not None
    pairs = 60
    await create_programme(sandbox, LEAD)
    await open_enrolment(sandbox, LEAD, GENERAL)
    await seed_people(sandbox.db, 2 * pairs)
    for n in range(2 * pairs):
        sandbox.workspace.add_user(User(id=f"U{n:08d}", name=f"person{n}", tz="Europe/London"))
    await close_enrolment(sandbox, LEAD)
    await approve(sandbox)
    assert "10 more pairs will be introduced" in sandbox.last_dm(LEAD)  # 50 went at once

    other = Database(sandbox.db.url)  # another replica: its own connections and client
    replicas = [
        Sender(sandbox.db, clock, sandbox.sweeps.client, batch=3),
        Sender(other, clock, build_web_client(sandbox.deps.settings, retries=False), batch=3),
    ]
    try:
        clock.advance(seconds=30)
        assert sum(d.sent for d in await asyncio.gather(*(r.run_once() for r in replicas))) == 0
        clock.advance(seconds=31)  # a minute (and Slack's margin) after the first 50
        done = await asyncio.gather(*(r.run_once() for r in replicas))
        assert [d.sent > 0 for d in done] == [True, True]  # both had a share
        assert sum(d.sent for d in done) == 10
    finally:
        await other.dispose()
    opens = sandbox.double.calls_to("conversations.open")
    assert [c.http_status for c in opens] == [200] * pairs
    times = sorted(c.at for c in opens)
    assert max(sum(1 for t in times if s - 60 < t <= s) for s in times) == TIER_3
    assert times[-1] - times[0] == 61  # in the next window, not later
    assert await introduced_rows(sandbox) == [True] * pairs
    assert set((await intros(sandbox)).values()) == {1}
    async with sandbox.db.transaction() as session:
        assert set(await session.scalars(select(Outbox.status).where(Outbox.kind == "intro"))) == {
            "sent"
        }


async def test_introductions_go_in_the_preview_s_order(
    sandbox: Sandbox, clock: FakeClock, db: Database
) -> None:
    """Pair by pair as the preview listed them, whatever plan the database reads the pairs
    with (after an edit PostgreSQL holds the first pair's row last, and once statistics say
    the table is small it reads the table in that order)."""
    await play(sandbox, clock, enrolled_cohort)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    assert sandbox.db is not None
    async with sandbox.db.transaction() as session:
        pairs = list(
            await session.execute(
                select(Pair.id, Mentor.user_id, Mentee.user_id)
                .join(Mentor, Mentor.id == Pair.mentor_id)
                .join(Mentee, Mentee.id == Pair.mentee_id)
                .order_by(Pair.id)
            )
        )
        first = await session.get(Pair, pairs[0][0])
        assert first is not None
        for edited in (Pair, Participant):  # the first pair's row, and both its people's
            ids = (first.id,) if edited is Pair else (first.mentor_id, first.mentee_id)
            await session.execute(
                update(edited).where(edited.id.in_(ids)).values(updated_at=clock.now())
            )
    if db.url.startswith("postgresql"):
        async with sandbox.db.transaction() as session:
            await session.execute(text("ANALYZE pair, participant"))
    await sandbox.press(LEAD, preview(sandbox), Action.APPROVE_MATCH)
    async with sandbox.db.transaction() as session:
        queued = list(
            await session.scalars(
                select(Outbox.key).where(Outbox.kind == Kind.INTRO).order_by(Outbox.id)
            )
        )
    opened = [
        sorted(c.args["users"].split(","))
        for c in sandbox.double.calls_to("conversations.open")
        if c.http_status == 200
    ]
    assert len(pairs) == 2
    assert queued == [runs.intro_key(pair_id) for pair_id, _, _ in pairs]
    assert opened == [sorted([mentor, mentee]) for _, mentor, mentee in pairs]
