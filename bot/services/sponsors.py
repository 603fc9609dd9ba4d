"""The executive sponsor: a person a programme's leads name (on the set-up or leads form), who
is not a lead. On the first of each month while the programme runs they get a digest of its
figures, and the final figures once when it closes: the lead's report's own numbers, survey
figures only over the programme's minimum of answers (`build_report` decides), never a name or
a word anyone wrote. Each digest queued is in the audit log, naming nobody. From a digest the
sponsor may ask the leads for more. Plain values in and out; no Slack."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Programme, ProgrammeStatus, Sweep
from bot.services import audit, outbox, sweeping
from bot.services.errors import Refused
from bot.services.leads import lead_ids
from bot.services.outbox import Kind, Message, Quiet
from bot.services.reports import Report, build_report
from bot.services.workspaces import installed

NOT_THE_SPONSOR = "Only the programme's executive sponsor can ask its leads from this digest."
GONE = "That programme is no longer there."
# Whose time zone the sweeps look up: the sponsors a digest or the final figures may go to.
TOLD = (ProgrammeStatus.RUNNING, ProgrammeStatus.REVIEWING)

Zones = dict[str, str | None]


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after the one `month` starts."""
    return (month + timedelta(days=32)).replace(day=1)


async def name_sponsor(session: AsyncSession, *, programme_id: int, sponsor_id: str | None) -> None:
    """Name (or remove) the sponsor; someone newly named hears where the programme stands at
    the next sweep rather than a month later."""
    programme = await session.get(Programme, programme_id)
    if programme is not None and programme.sponsor_id != sponsor_id:
        programme.sponsor_id = sponsor_id
        programme.sponsor_digest_month = None


def figures(report: Report) -> dict[str, Any]:
    """What a sponsor is shown, from the lead's report as it stands, as plain JSON: counts,
    rates and the survey figures the report shows (None under its minimum of answers)."""
    return {
        "mentors": report.signed_up.get("mentor", 0),
        "mentees": report.signed_up.get("mentee", 0),
        "match_rate": report.match_rate,
        "chemistry_rate": report.chemistry_rate,
        "chemistry_decided": report.chemistry_decided,
        "held": report.held,
        "planned": report.planned,
        "minimum": report.minimum,
        "uplift": [{**asdict(u), "phase": str(u.phase)} for u in report.uplift],
        "recommend": asdict(report.recommend),
    }


async def sponsors_to_tell(session: AsyncSession, *, now: datetime) -> set[tuple[str, str]]:
    """(team, user) of the sponsors of programmes running or in review, whose time zones the
    digests and the final figures need."""
    rows = await session.execute(
        select(Programme.team_id, Programme.sponsor_id).where(
            installed(Programme.team_id),
            Programme.status.in_(TOLD),
            Programme.sponsor_id.is_not(None),
        )
    )
    return {(team_id, user_id) for team_id, user_id in rows if user_id}


async def sweep(session: AsyncSession, *, now: datetime, zones: Zones) -> sweeping.Queued:
    """Queue this month's digest for every running programme whose sponsor has not had it,
    from the first month after kick-off; each programme claimed and in its own savepoint, each
    digest under a key of programme, month and sponsor, so replicas and re-runs send one."""
    await outbox.begin_claim(session)
    month = month_of(now.date())
    due = select(Programme).where(
        installed(Programme.team_id),
        Programme.status == ProgrammeStatus.RUNNING,
        Programme.sponsor_id.is_not(None),
        Programme.starts_on < month,
        or_(Programme.sponsor_digest_month.is_(None), Programme.sponsor_digest_month < month),
    )
    claimed = sweeping.claim(due, sweep=Sweep.DIGESTS, item_id=Programme.id, now=now)
    programmes = list(await session.scalars(claimed))

    async def digest(programme: Programme) -> int:
        programme.sponsor_digest_month = month
        # A month's digest that could not go before the next one is moot: the next one says more.
        expires = datetime.combine(next_month(month), time(), now.tzinfo)
        return await queue(
            session, programme, Kind.SPONSOR_DIGEST, f"{month:%Y-%m}", zones, now, expires
        )

    done = await sweeping.each(
        session, items=programmes, step=digest, sweep=Sweep.DIGESTS, key=_id, now=now
    )
    return sweeping.Queued.of(done)


def _id(programme: Programme) -> int:
    return programme.id


async def queue_final(
    session: AsyncSession, *, programme: Programme, zones: Zones, now: datetime
) -> int:
    """The final figures to the sponsor, once, as the programme closes (its end review over,
    so objective uplift and would-recommend are as complete as they will be)."""
    return await queue(session, programme, Kind.SPONSOR_SUMMARY, "final", zones, now, None)


async def queue(
    session: AsyncSession,
    programme: Programme,
    kind: Kind,
    period: str,
    zones: Zones,
    now: datetime,
    expires: datetime | None,
) -> int:
    """One digest (or the final figures) for the programme's sponsor, in their waking hours,
    and its audit entry; nothing when there is no sponsor or it was queued already."""
    sponsor = programme.sponsor_id
    if sponsor is None:
        return 0
    report = await build_report(session, programme=programme, today=now.date(), now=now)
    params = {
        "programme_id": programme.id,
        "programme": programme.name,
        "period": period,
        "leads": list(await lead_ids(session, programme_id=programme.id)),
        **figures(report),
    }
    quiet = Quiet.of(programme, sponsor, zones.get(sponsor), budgeted=False)
    message = Message(
        key=f"{kind}:{programme.id}:{period}:{sponsor}",
        kind=kind,
        team_id=programme.team_id,
        channel_id=sponsor,
        params=params,
        quiet=quiet,
        expires_at=expires,
    )
    queued = await outbox.enqueue(session, [message], now=now)
    if queued:
        await audit.record_sponsor(
            session,
            team_id=programme.team_id,
            sponsor_id=sponsor,
            view=audit.View.DIGEST if kind == Kind.SPONSOR_DIGEST else audit.View.FINAL_DIGEST,
            programme_id=programme.id,
            now=now,
        )
    return queued


@dataclass(frozen=True)
class Asked:
    programme: str
    keys: list[str]  # the leads' messages, to send now
    lead_ids: list[str]
    already: bool  # asked before this month: the leads were told then


async def ask_leads(
    session: AsyncSession, *, team_id: str, user_id: str, programme_id: int, now: datetime
) -> Asked:
    """The sponsor asks the leads for more than the digest: each lead is told once a month,
    however often the button is pressed. Anyone but the programme's sponsor is refused."""
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.team_id != team_id:
        raise Refused(GONE)
    if programme.sponsor_id != user_id:
        raise Refused(NOT_THE_SPONSOR)
    leads = list(await lead_ids(session, programme_id=programme.id))
    period = f"{now:%Y-%m}"
    params = {"programme_id": programme.id, "programme": programme.name, "sponsor_id": user_id}
    messages = [
        Message(
            key=f"{Kind.SPONSOR_ASKED}:{programme.id}:{period}:{user_id}:{lead}",
            kind=Kind.SPONSOR_ASKED,
            team_id=programme.team_id,
            channel_id=lead,
            params=params,
        )
        for lead in leads
    ]
    queued = await outbox.enqueue(session, messages, now=now)
    keys = [m.key for m in messages]
    return Asked(programme.name, keys, leads, already=bool(leads) and not queued)
