"""The end of a programme: on its end date it moves to reviewing and its leads get a review
summary; when the end-of-programme review closes it moves to closed, its pairs stop being
nudged, the leads are offered the next cohort, and its sponsor gets the final figures. Plain
values in and out; no Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Outbox,
    OutboxStatus,
    Pair,
    Programme,
    ProgrammeStatus,
    Story,
    StoryStatus,
    SurveyKind,
    Sweep,
)
from bot.services import outbox, sponsors, sweeping
from bot.services.momentum import leads_by_programme
from bot.services.outbox import Kind, Message
from bot.services.reports import build_report
from bot.services.surveys import OPEN_FOR
from bot.services.workspaces import installed

REVIEW_WINDOW = OPEN_FOR[SurveyKind.END]


@dataclass(frozen=True)
class Moved:
    reviewing: int
    closed: int
    queued: int
    failed: int = 0


async def _due(
    session: AsyncSession, *where: ColumnElement[bool], now: datetime
) -> list[Programme]:
    """The programmes `where` finds that this sweep may take now, claimed."""
    query = select(Programme).where(installed(Programme.team_id), *where)
    claimed = sweeping.claim(query, sweep=Sweep.LIFECYCLE, item_id=Programme.id, now=now)
    return list(await session.scalars(claimed))


async def sweep(
    session: AsyncSession, *, now: datetime, sponsor_zones: sponsors.Zones | None = None
) -> Moved:
    """Move every programme whose date has come, each in its own savepoint; each move queues its
    leads' message under a key of programme and step, so a second replica or a re-run sends
    nothing twice. A closing programme's sponsor gets its final figures (in their time zone,
    `sponsor_zones`, when known)."""
    await outbox.begin_claim(session)
    today = now.date()
    ending = await _due(
        session,
        Programme.status == ProgrammeStatus.RUNNING,
        Programme.ends_on <= today,
        now=now,
    )
    closing = await _due(
        session,
        Programme.status == ProgrammeStatus.REVIEWING,
        Programme.ends_on <= today - REVIEW_WINDOW,
        now=now,
    )
    if not ending and not closing:
        return Moved(0, 0, 0)
    leads = await leads_by_programme(session, {p.id for p in ending + closing})

    async def review(programme: Programme) -> int:
        programme.status = ProgrammeStatus.REVIEWING
        programme.reviewing_at = now
        figures = await summary_figures(session, programme=programme, now=now)
        closes = programme.ends_on + REVIEW_WINDOW
        params = {
            "programme_id": programme.id,
            "programme": programme.name,
            "review_closes": closes.isoformat(),
            **figures,
        }
        messages = _to_leads(programme, leads, Kind.REVIEW_SUMMARY, params)
        return await outbox.enqueue(session, messages, now=now)

    async def close(programme: Programme) -> int:
        programme.status = ProgrammeStatus.CLOSED
        programme.closed_at = now
        await _stop_pairs(session, programme_id=programme.id, now=now)
        params = {"programme_id": programme.id, "programme": programme.name}
        messages = _to_leads(programme, leads, Kind.PROGRAMME_CLOSED, params)
        queued = await outbox.enqueue(session, messages, now=now)
        return queued + await sponsors.queue_final(
            session, programme=programme, zones=sponsor_zones or {}, now=now
        )

    reviewed = await sweeping.each(
        session, items=ending, step=review, sweep=Sweep.LIFECYCLE, key=_id, now=now
    )
    closed = await sweeping.each(
        session, items=closing, step=close, sweep=Sweep.LIFECYCLE, key=_id, now=now
    )
    return Moved(
        len(reviewed.results),
        len(closed.results),
        sum(reviewed.results) + sum(closed.results),
        len(reviewed.failed) + len(closed.failed),
    )


def _id(programme: Programme) -> int:
    return programme.id


def _to_leads(
    programme: Programme, leads: dict[int, list[str]], kind: Kind, params: dict[str, object]
) -> list[Message]:
    return [
        Message(
            key=f"{kind}:{programme.id}:{lead}",
            kind=kind,
            team_id=programme.team_id,
            channel_id=lead,
            params=params,
        )
        for lead in leads.get(programme.id, ())
    ]


async def summary_figures(
    session: AsyncSession, *, programme: Programme, now: datetime
) -> dict[str, int]:
    """Counts only, from the lead's report: who took part, the pairs that agreed a contract,
    the sessions held and planned; and the stories waiting for a lead."""
    report = await build_report(session, programme=programme, today=now.date(), now=now)
    stories = await session.scalar(
        select(func.count()).where(
            Story.programme_id == programme.id,
            Story.status.in_((StoryStatus.SUBMITTED, StoryStatus.APPROVED)),
        )
    )
    return {
        "mentors": report.signed_up.get("mentor", 0),
        "mentees": report.signed_up.get("mentee", 0),
        "pairs": sum(1 for pair in report.pairs if pair.planned),
        "held": report.held,
        "planned": report.planned,
        "stories": stories or 0,
    }


async def _stop_pairs(session: AsyncSession, *, programme_id: int, now: datetime) -> None:
    """A closed programme's pairs are no longer nudged; what is queued for them is withdrawn."""
    await session.execute(
        update(Pair)
        .where(Pair.programme_id == programme_id)
        .values(momentum_due_at=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Outbox)
        .where(
            Outbox.pair_id.in_(select(Pair.id).where(Pair.programme_id == programme_id)),
            Outbox.status.in_(outbox.CLAIMABLE),
        )
        .values(status=OutboxStatus.CANCELLED, due_at=now)
        .execution_options(synchronize_session=False)
    )
