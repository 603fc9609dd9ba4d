"""The pair's agreement: one proposes, the other confirms or changes it; every version is kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Agreement,
    AgreementStatus,
    Medium,
    Pair,
    Programme,
    Scheduler,
)
from bot.services import calendar, momentum
from bot.services.calendar import CalendarEntry
from bot.services.pairs import Member, PairError, PairFacts, confirmed_pair_for_member
from bot.services.programme_rules import FormErrors

MAX_GOALS = 2000
LIMITS = {"sessions_planned": (1, 52), "cadence_days": (1, 90), "session_minutes": (15, 480)}


@dataclass(frozen=True)
class Terms:
    sessions_planned: int
    cadence_days: int
    session_minutes: int
    medium: Medium
    ends_on: date
    mentor_goals: str
    mentee_goals: str
    scheduler: Scheduler


@dataclass(frozen=True)
class AgreementFacts:
    id: int
    version: int
    status: AgreementStatus
    proposer: Member
    terms: Terms
    pair: PairFacts
    message_ts: str | None
    first_confirmed: bool = False  # this confirmation made the pair active


class AgreementChanged(PairError):
    """The version someone acted on is no longer the newest."""


def validate_terms(
    values: Mapping[str, Any], *, today: date, programme_ends_on: date
) -> Terms | FormErrors:
    errors = FormErrors()
    numbers: dict[str, int] = {}
    for name, (low, high) in LIMITS.items():
        raw = str(values.get(name) or "").strip()
        if not raw.isdigit() or not low <= int(raw) <= high:
            errors.add(name, f"Enter a whole number from {low} to {high}.")
        else:
            numbers[name] = int(raw)
    try:
        medium = Medium(values.get("medium") or "")
    except ValueError:
        errors.add("medium", "Pick how you'll meet.")
        medium = Medium.ANY
    try:
        scheduler = Scheduler(values.get("scheduler") or "")
    except ValueError:
        errors.add("scheduler", "Pick who arranges the sessions.")
        scheduler = Scheduler.BOTH
    try:
        ends_on = date.fromisoformat(str(values.get("ends_on") or ""))
    except ValueError:
        errors.add("ends_on", "Pick an end date.")
        ends_on = today
    else:
        if ends_on <= today:
            errors.add("ends_on", "The end date must be in the future.")
        elif ends_on > programme_ends_on:
            errors.add(
                "ends_on", f"The programme ends on {programme_ends_on:%d %b %Y}; end by then."
            )
    goals = {}
    for name in ("mentor_goals", "mentee_goals"):
        goals[name] = str(values.get(name) or "").strip()
        if len(goals[name]) > MAX_GOALS:
            errors.add(name, f"Keep this under {MAX_GOALS} characters.")
    if errors:
        return errors
    return Terms(
        medium=medium,
        ends_on=ends_on,
        scheduler=scheduler,
        mentor_goals=goals["mentor_goals"],
        mentee_goals=goals["mentee_goals"],
        **numbers,
    )


def _terms(agreement: Agreement) -> Terms:
    return Terms(
        agreement.sessions_planned,
        agreement.cadence_days,
        agreement.session_minutes,
        agreement.medium,
        agreement.ends_on,
        agreement.mentor_goals,
        agreement.mentee_goals,
        agreement.scheduler,
    )


def _facts(agreement: Agreement, pair: PairFacts, **extra: Any) -> AgreementFacts:
    proposer = next(m for m in pair.members if m.participant_id == agreement.proposed_by)
    return AgreementFacts(
        agreement.id,
        agreement.version,
        agreement.status,
        proposer,
        _terms(agreement),
        pair,
        agreement.message_ts,
        **extra,
    )


async def _confirmed_pair(
    session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> PairFacts:
    _, info = await confirmed_pair_for_member(
        session,
        team_id=team_id,
        pair_id=pair_id,
        user_id=user_id,
        now=now,
        too_early="Your agreement comes after the chemistry meeting, once you've both said go.",
    )
    return info


async def in_force(session: AsyncSession, *, pair_id: int) -> Agreement | None:
    return await session.scalar(
        select(Agreement).where(
            Agreement.pair_id == pair_id, Agreement.status == AgreementStatus.CONFIRMED
        )
    )


async def form_start(
    session: AsyncSession,
    *,
    team_id: str,
    pair_id: int,
    user_id: str,
    now: datetime,
    version: int | None = None,
) -> tuple[PairFacts, Terms, int]:
    """What the form shows: the given or newest version, else the programme's defaults; and
    the version number the person is looking at (0 for none yet)."""
    pair = await _confirmed_pair(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    query = select(Agreement).where(Agreement.pair_id == pair_id)
    if version is not None:
        query = query.where(Agreement.version == version)
    shown = await session.scalar(query.order_by(Agreement.version.desc()))
    if shown is not None:
        return pair, _terms(shown), shown.version
    programme = await session.get(Programme, pair.programme_id)
    assert programme is not None
    defaults = Terms(
        programme.sessions_planned,
        programme.cadence_days,
        programme.session_minutes,
        programme.default_medium,
        programme.ends_on,
        pair.mentor.goals,
        pair.mentee.goals,
        Scheduler.MENTEE,  # executives' diaries decide; the usual advice
    )
    return pair, defaults, 0


async def propose(
    session: AsyncSession,
    *,
    team_id: str,
    pair_id: int,
    user_id: str,
    terms: Terms,
    seen_version: int,
    now: datetime,
) -> AgreementFacts:
    """A new version for the other person to confirm; it replaces a proposal still open."""
    pair = await _confirmed_pair(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    newest = await session.scalar(
        select(func.max(Agreement.version)).where(Agreement.pair_id == pair_id)
    )
    if (newest or 0) != seen_version:
        raise AgreementChanged(
            "Your partner changed the agreement while you were editing it. Open the newest "
            "version in your conversation and start from there."
        )
    await session.execute(
        update(Agreement)
        .where(Agreement.pair_id == pair_id, Agreement.status == AgreementStatus.PROPOSED)
        .values(status=AgreementStatus.SUPERSEDED)
    )
    me = pair.member(user_id)
    assert me is not None
    shown = await session.scalar(
        select(Agreement).where(Agreement.pair_id == pair_id, Agreement.version == newest)
    )
    agreement = Agreement(
        pair_id=pair_id,
        version=(newest or 0) + 1,
        status=AgreementStatus.PROPOSED,
        proposed_by=me.participant_id,
        created_at=now,
        **vars(terms),
        **_goal_authors(terms, shown, pair, me),
    )
    session.add(agreement)
    await session.flush()
    return _facts(agreement, pair)


def _goal_authors(
    terms: Terms, shown: Agreement | None, pair: PairFacts, me: Member
) -> dict[str, int | None]:
    """Who wrote each side's goals: a side left as the form showed it keeps its author (the
    earlier version's, or its owner for the sign-up goals the first form is filled with)."""
    authors: dict[str, int | None] = {}
    for side, owner in (("mentor_goals", pair.mentor), ("mentee_goals", pair.mentee)):
        text = getattr(terms, side)
        if shown is not None:
            before, author = getattr(shown, side), getattr(shown, f"{side}_by")
        else:
            before, author = owner.goals, owner.participant_id
        authors[f"{side}_by"] = (
            None if not text else author if text == before else me.participant_id
        )
    return authors


async def set_message(session: AsyncSession, *, agreement_id: int, ts: str) -> None:
    await session.execute(
        update(Agreement).where(Agreement.id == agreement_id).values(message_ts=ts)
    )


async def confirm(
    session: AsyncSession, *, team_id: str, agreement_id: int, user_id: str, now: datetime
) -> AgreementFacts:
    """The other person confirms exactly the version they saw; the pair is active from then."""
    pair_id = await session.scalar(select(Agreement.pair_id).where(Agreement.id == agreement_id))
    if pair_id is None:
        raise PairError("That agreement no longer exists.")
    pair = await _confirmed_pair(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    agreement = await session.get(Agreement, agreement_id, populate_existing=True)
    assert agreement is not None
    if agreement.status == AgreementStatus.CONFIRMED:
        raise PairError("This agreement is already confirmed.")
    if agreement.status == AgreementStatus.SUPERSEDED:
        raise AgreementChanged(
            "This version was changed since; confirm the newest one in your conversation."
        )
    me = pair.member(user_id)
    assert me is not None
    if agreement.proposed_by == me.participant_id:
        raise PairError(f"You proposed this version, so {pair.other(user_id).name} confirms it.")
    await session.execute(
        update(Agreement)
        .where(Agreement.pair_id == pair_id, Agreement.status == AgreementStatus.CONFIRMED)
        .values(status=AgreementStatus.SUPERSEDED)
    )
    agreement.status = AgreementStatus.CONFIRMED
    agreement.confirmed_at = now
    row = await session.get(Pair, pair_id)  # already locked by _confirmed_pair
    assert row is not None
    first = row.agreed_at is None
    if first:
        row.agreed_at = now
        momentum.restart(row, on=now.date(), now=now)
    return _facts(agreement, pair, first_confirmed=first)


def series_until(ends_on: date) -> datetime:
    """The series' last instant: the end of the agreement's end date, in UTC."""
    return datetime.combine(ends_on, time(23, 59, 59), UTC)


async def series(
    session: AsyncSession, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> CalendarEntry:
    """The agreement's cadence as one series in the pair's calendars, for either of the pair:
    from the first time that suits both a cadence after the agreement, as long as their
    sessions, until its end date. Asked again, the same series (moved if the agreement
    changed since)."""
    pair = await _confirmed_pair(
        session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=now
    )
    agreed = await in_force(session, pair_id=pair_id)
    if agreed is None or agreed.confirmed_at is None:
        raise PairError("The series follows your agreement, once you've both confirmed it.")
    until = series_until(agreed.ends_on)
    if until <= now:
        raise PairError("Your agreement has reached its end date, so there is no series to add.")
    rule = (agreed.session_minutes, agreed.cadence_days, until)
    standing = await calendar.series_of(session, pair_id=pair_id)
    if standing is not None and (standing.minutes, standing.every_days, standing.until) == rule:
        starts_at = standing.starts_at  # the series both calendars hold already
    else:
        found = await calendar.free_slots(
            session,
            pair=pair,
            minutes=agreed.session_minutes,
            earliest=agreed.confirmed_at.date() + timedelta(days=agreed.cadence_days),
            now=now,
            count=1,
        )
        if not found or found[0] > until:
            raise PairError(
                "No time suits you both before your agreement ends, so there is no series to "
                "add; book each session from your check-in instead."
            )
        starts_at = found[0]
    return await calendar.book_series(
        session,
        pair=pair,
        starts_at=starts_at,
        minutes=agreed.session_minutes,
        every_days=agreed.cadence_days,
        until=until,
        now=now,
    )
