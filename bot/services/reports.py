"""The lead's report: the programme against its objectives, from counts and aggregates only.

Survey figures (pulse averages, objective re-ratings, would-recommend, actions put into
practice) are shown only over at least the programme's minimum of respondents; below it the
figure is None and the report says there are not enough answers yet. Retention
(services/retention) keeps to the same minimum for each group of people. Nothing here reads a
note, an action's text, a comment or a reason. Plain values in and out; no Slack."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from sqlalchemy import Row, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.models import (
    ActionItem,
    ActionStatus,
    Agreement,
    AgreementStatus,
    ChemistryDecision,
    Decision,
    Objective,
    ObjectiveRating,
    Pair,
    PairStatus,
    Participant,
    ParticipantStatus,
    Programme,
    RatingPhase,
    Role,
    SessionLog,
    SessionRating,
    Survey,
    SurveyKind,
    SurveyResponse,
)
from bot.services import balance
from bot.services.momentum import state_of
from bot.services.preparation import SideCount, completion
from bot.services.retention import Retention, retention_of
from bot.services.socials import SocialLine, report_lines

PAUSED = "paused"
NOT_AGREED = "no agreement yet"
PULSE_QUESTIONS = ("value", "balance", "openness", "breadth")


@dataclass(frozen=True)
class PulseRound:
    number: int
    opens_on: date
    respondents: int
    averages: dict[str, float] | None  # None: fewer respondents than the minimum


@dataclass(frozen=True)
class Uplift:
    objective: str
    measure: str
    respondents: int  # people with both a baseline and an end (or mid-point) rating
    baseline: float | None
    later: float | None
    phase: RatingPhase


@dataclass(frozen=True)
class Recommend:
    respondents: int
    score: int | None  # promoters minus detractors, in percentage points
    average: float | None


@dataclass(frozen=True)
class Drift:
    """Pairs drifting back to the hierarchy (the mentee did most of the teaching in their
    latest two sessions), over the pairs whose latest two sessions were both answered."""

    assessed: int
    drifting: int | None  # None: fewer pairs answered than the minimum


@dataclass(frozen=True)
class PairRow:
    """One pair's metadata for the CSV: no text anyone wrote."""

    pair_id: int
    people: tuple[int, int]  # participant ids, for the audit log; not in the CSV
    mentor: str
    mentee: str
    status: str
    momentum: str
    held: int
    planned: int
    first_session: date | None
    last_session: date | None
    median_gap_days: float | None
    average_rating: float | None


@dataclass(frozen=True)
class Report:
    programme_id: int
    programme: str
    status: str
    made_on: date
    minimum: int
    signed_up: dict[str, int]
    withdrawn: int
    matched: int  # people in a live pair (introduced or confirmed)
    chemistry_decided: int  # pairs whose chemistry meeting has a verdict
    chemistry_go: int
    momentum: dict[str, int]
    held: int
    planned: int
    median_gap_days: float | None
    pulses: list[PulseRound]
    uplift: list[Uplift]
    recommend: Recommend
    actions_implemented: dict[str, int] | None  # end review answers; None under the minimum
    actions_for_organisation: int
    actions_for_organisation_done: int
    pairs: list[PairRow] = field(default_factory=list)
    sessions_by_week: dict[date, int] = field(default_factory=dict)  # keyed by the Monday
    drift: Drift = Drift(0, None)
    retention: Retention | None = None  # None: not measured (a report built without it)
    # Who finished their preparation track, counted per side (none under the minimum).
    preparation: list[SideCount] = field(default_factory=list)
    # The kick-off and socials with their answers (going, not going) as counts, the split
    # only over the minimum of answers.
    socials: list[SocialLine] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(self.signed_up.values())

    @property
    def match_rate(self) -> float | None:
        return self.matched / self.people if self.people else None

    @property
    def chemistry_rate(self) -> float | None:
        return self.chemistry_go / self.chemistry_decided if self.chemistry_decided else None


# A pair past the preview: id, status, paused at, momentum anchor, both names, both people's
# statuses and both participant ids.
_PairFacts = Row[
    int,
    PairStatus,
    datetime | None,
    date | None,
    str,
    str,
    ParticipantStatus,
    ParticipantStatus,
    int,
    int,
]


def _enough(respondents: int, minimum: int) -> bool:
    return respondents >= max(3, minimum)


async def build_report(
    session: AsyncSession, *, programme: Programme, today: date, now: datetime
) -> Report:
    pid = programme.id
    minimum = max(3, programme.min_survey_respondents)
    people, withdrawn = await _signed_up(session, programme_id=pid)
    pair_rows = await _pair_rows(session, programme_id=pid)
    decided, went = await _chemistry_verdicts(session, programme_id=pid)
    agreements, cadences = await _agreed_terms(session, programme_id=pid)
    held_on = await _session_days(session, programme_id=pid)
    ratings = await _average_ratings(session, programme_id=pid)
    table = _pair_table(
        pair_rows,
        programme=programme,
        today=today,
        agreements=agreements,
        cadences=cadences,
        held_on=held_on,
        ratings=ratings,
    )
    pulses = await _pulses(session, programme_id=pid, minimum=minimum)
    uplift = await _uplift(session, programme_id=pid, minimum=minimum)
    recommend, actions_implemented = await _end_review(session, programme_id=pid, minimum=minimum)
    org_total, org_done = await _organisation_actions(session, programme_id=pid)
    retention = await retention_of(session, programme=programme, today=today, minimum=minimum)
    return Report(
        programme_id=pid,
        programme=programme.name,
        status=str(programme.status),
        made_on=today,
        minimum=minimum,
        signed_up={str(Role.MENTOR): people[Role.MENTOR], str(Role.MENTEE): people[Role.MENTEE]},
        withdrawn=withdrawn,
        matched=_matched(pair_rows),
        chemistry_decided=decided or 0,
        chemistry_go=went or 0,
        momentum=dict(table.momentum),
        held=sum(len(d) for d in held_on.values()),
        planned=sum(agreements.values()),
        median_gap_days=float(statistics.median(table.gaps)) if table.gaps else None,
        pulses=pulses,
        uplift=uplift,
        recommend=recommend,
        actions_implemented=actions_implemented,
        actions_for_organisation=org_total or 0,
        actions_for_organisation_done=org_done or 0,
        pairs=table.rows,
        sessions_by_week=_sessions_by_week(held_on),
        drift=await _drift(session, programme_id=pid, minimum=minimum),
        retention=retention,
        preparation=await completion(session, programme=programme),
        socials=await report_lines(session, programme=programme),
    )


async def _drift(session: AsyncSession, *, programme_id: int, minimum: int) -> Drift:
    """How many confirmed pairs drift now, shown only over at least the minimum of pairs that
    answered enough to tell (k-anonymity): never which pair, never an answer."""
    pair_ids = await session.scalars(
        select(Pair.id).where(
            Pair.programme_id == programme_id, Pair.status == PairStatus.CONFIRMED
        )
    )
    known = [
        s for s in (await balance.sessions_of(session, pair_ids)).values() if balance.assessed(s)
    ]
    drifting = sum(balance.drift_start(s) is not None for s in known)
    return Drift(len(known), drifting if _enough(len(known), minimum) else None)


async def _signed_up(session: AsyncSession, *, programme_id: int) -> tuple[Counter[str], int]:
    """People still in the programme by role, and how many withdrew."""
    people: Counter[str] = Counter()
    withdrawn = 0
    for role, person_status, n in await session.execute(
        select(Participant.role, Participant.status, func.count())
        .where(Participant.programme_id == programme_id)
        .group_by(Participant.role, Participant.status)
    ):
        if person_status == ParticipantStatus.WITHDRAWN:
            withdrawn += n
        else:
            people[str(role)] += n
    return people, withdrawn


async def _pair_rows(session: AsyncSession, *, programme_id: int) -> Sequence[_PairFacts]:
    """Every pair past the preview, with both people's names and statuses."""
    mentor, mentee = aliased(Participant), aliased(Participant)
    return (
        await session.execute(
            select(
                Pair.id,
                Pair.status,
                Pair.paused_at,
                Pair.momentum_anchor_on,
                mentor.display_name,
                mentee.display_name,
                mentor.status,
                mentee.status,
                Pair.mentor_id,
                Pair.mentee_id,
            )
            .join(mentor, mentor.id == Pair.mentor_id)
            .join(mentee, mentee.id == Pair.mentee_id)
            .where(Pair.programme_id == programme_id, Pair.status != PairStatus.PROPOSED)
            .order_by(Pair.id)
        )
    ).all()


def _matched(pair_rows: Sequence[_PairFacts]) -> int:
    """People still in the programme who are in a live pair."""
    live = {PairStatus.INTRODUCED, PairStatus.CONFIRMED}
    return sum(
        (ms != ParticipantStatus.WITHDRAWN) + (es != ParticipantStatus.WITHDRAWN)
        for _, status, _, _, _, _, ms, es, _, _ in pair_rows
        if status in live
    )


async def _chemistry_verdicts(session: AsyncSession, *, programme_id: int) -> tuple[int, int]:
    """Pairs whose chemistry meeting has a verdict, and how many of those both said go."""
    decisions = (
        select(
            ChemistryDecision.pair_id,
            func.sum(case((ChemistryDecision.decision == Decision.GO, 1), else_=0)).label("go"),
            func.sum(case((ChemistryDecision.decision == Decision.NOT_FOR_ME, 1), else_=0)).label(
                "no"
            ),
        )
        .join(Pair, Pair.id == ChemistryDecision.pair_id)
        .where(Pair.programme_id == programme_id)
        .group_by(ChemistryDecision.pair_id)
        .subquery()
    )
    decided, went = (
        await session.execute(
            select(
                func.count().filter((decisions.c.no > 0) | (decisions.c.go >= 2)),
                func.count().filter(and_(decisions.c.no == 0, decisions.c.go >= 2)),
            ).select_from(decisions)
        )
    ).one()
    return decided, went


async def _agreed_terms(
    session: AsyncSession, *, programme_id: int
) -> tuple[dict[int, int], dict[int, int]]:
    """Sessions planned and cadence in days, by pair, from the confirmed agreements."""
    agreements: dict[int, int] = {}
    cadences: dict[int, int] = {}
    for pair_id, planned, cadence in await session.execute(
        select(
            Agreement.pair_id,
            func.max(Agreement.sessions_planned),
            func.max(Agreement.cadence_days),
        )
        .join(Pair, Pair.id == Agreement.pair_id)
        .where(Pair.programme_id == programme_id, Agreement.status == AgreementStatus.CONFIRMED)
        .group_by(Agreement.pair_id)
    ):
        agreements[pair_id], cadences[pair_id] = planned, cadence
    return agreements, cadences


async def _session_days(session: AsyncSession, *, programme_id: int) -> dict[int, list[date]]:
    """The days each pair held a session, in order."""
    held_on: dict[int, list[date]] = defaultdict(list)
    for pair_id, day in await session.execute(
        select(SessionLog.pair_id, SessionLog.held_on)
        .join(Pair, Pair.id == SessionLog.pair_id)
        .where(Pair.programme_id == programme_id)
        .order_by(SessionLog.pair_id, SessionLog.held_on)
    ):
        held_on[pair_id].append(day)
    return held_on


async def _average_ratings(
    session: AsyncSession, *, programme_id: int
) -> dict[int, Decimal | float]:
    """Each pair's average session rating (a Decimal from PostgreSQL)."""
    return dict(
        (
            await session.execute(
                select(SessionLog.pair_id, func.avg(SessionRating.rating))
                .join(SessionLog, SessionLog.id == SessionRating.session_id)
                .join(Pair, Pair.id == SessionLog.pair_id)
                .where(Pair.programme_id == programme_id)
                .group_by(SessionLog.pair_id)
            )
        ).all()
    )


@dataclass(frozen=True)
class _PairTable:
    rows: list[PairRow]
    momentum: Counter[str]  # confirmed pairs by momentum state
    gaps: list[int]  # days between consecutive sessions, over every pair


def _pair_table(
    pair_rows: Sequence[_PairFacts],
    *,
    programme: Programme,
    today: date,
    agreements: dict[int, int],
    cadences: dict[int, int],
    held_on: dict[int, list[date]],
    ratings: dict[int, Decimal | float],
) -> _PairTable:
    # After the end date nobody is meant to meet: momentum is as it stood at the end.
    as_of = min(today, programme.ends_on)
    table = _PairTable(rows=[], momentum=Counter(), gaps=[])
    for row in pair_rows:
        pair_id, status, paused_at, anchor, mentor_name, mentee_name = row[:6]
        days = held_on.get(pair_id, [])
        gaps = [(b - a).days for a, b in pairwise(days)]
        table.gaps.extend(gaps)
        state = ""
        if status == PairStatus.CONFIRMED:
            state = _momentum_label(
                paused=paused_at is not None,
                cadence=cadences.get(pair_id),
                start=anchor or (days[-1] if days else today),
                grace_days=programme.nudge_grace_days,
                as_of=as_of,
            )
            table.momentum[state] += 1
        rating = ratings.get(pair_id)
        table.rows.append(
            PairRow(
                pair_id=pair_id,
                people=(row.mentor_id, row.mentee_id),
                mentor=mentor_name,
                mentee=mentee_name,
                status=str(status),
                momentum=state,
                held=len(days),
                planned=agreements.get(pair_id, 0),
                first_session=days[0] if days else None,
                last_session=days[-1] if days else None,
                median_gap_days=float(statistics.median(gaps)) if gaps else None,
                average_rating=round(float(rating), 2) if rating is not None else None,
            )
        )
    return table


def _momentum_label(
    *, paused: bool, cadence: int | None, start: date, grace_days: int, as_of: date
) -> str:
    """A confirmed pair's momentum: paused, not yet agreed, or its state on the ladder."""
    if paused:
        return PAUSED
    if cadence is None:
        return NOT_AGREED
    return str(state_of(start, cadence, grace_days, as_of))


async def _pulses(session: AsyncSession, *, programme_id: int, minimum: int) -> list[PulseRound]:
    """Each pulse round's respondents, and its averages when enough people answered."""
    pulses = []
    averages = [func.avg(getattr(SurveyResponse, q)) for q in PULSE_QUESTIONS]
    for number, opens_on, respondents, *means in await session.execute(
        select(Survey.number, Survey.opens_on, func.count(SurveyResponse.id), *averages)
        .outerjoin(SurveyResponse, SurveyResponse.survey_id == Survey.id)
        .where(Survey.programme_id == programme_id, Survey.kind == SurveyKind.PULSE)
        .group_by(Survey.id, Survey.number, Survey.opens_on)
        .order_by(Survey.number)
    ):
        shown = None
        if _enough(respondents, minimum):
            shown = {q: round(float(m), 2) for q, m in zip(PULSE_QUESTIONS, means, strict=True)}
        pulses.append(PulseRound(number, opens_on, respondents, shown))
    return pulses


async def _end_review(
    session: AsyncSession, *, programme_id: int, minimum: int
) -> tuple[Recommend, dict[str, int] | None]:
    """Would-recommend and actions put into practice, from the end review's answers."""
    end_answers = (
        await session.execute(
            select(SurveyResponse.would_recommend, SurveyResponse.actions_implemented)
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(Survey.programme_id == programme_id, Survey.kind == SurveyKind.END)
        )
    ).all()
    scores = [s for s, _ in end_answers if s is not None]
    implemented = [a for _, a in end_answers if a]
    actions_implemented = dict(Counter(implemented)) if _enough(len(implemented), minimum) else None
    return _recommend(scores, minimum), actions_implemented


def _recommend(scores: list[int], minimum: int) -> Recommend:
    """Net promoter score and average, shown only over enough answers."""
    if not _enough(len(scores), minimum):
        return Recommend(len(scores), None, None)
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return Recommend(
        len(scores),
        round(100 * (promoters - detractors) / len(scores)),
        round(statistics.fmean(scores), 1),
    )


async def _organisation_actions(session: AsyncSession, *, programme_id: int) -> tuple[int, int]:
    """Actions for the organisation, and how many of them are done."""
    total, done = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(ActionItem.status == ActionStatus.DONE),
            )
            .select_from(ActionItem)
            .join(Pair, Pair.id == ActionItem.pair_id)
            .where(Pair.programme_id == programme_id, ActionItem.for_organisation.is_(True))
        )
    ).one()
    return total, done


def _sessions_by_week(held_on: dict[int, list[date]]) -> dict[date, int]:
    """Sessions held, counted by the Monday of their week, in date order."""
    return dict(
        sorted(
            Counter(
                d - timedelta(days=d.weekday()) for days in held_on.values() for d in days
            ).items()
        )
    )


async def _uplift(session: AsyncSession, *, programme_id: int, minimum: int) -> list[Uplift]:
    """Each objective: the average baseline and the average latest re-rating (end, or the
    mid-point before the end) of the people who gave both."""
    base, later = aliased(ObjectiveRating), aliased(ObjectiveRating)
    result = []
    objectives = await session.scalars(
        select(Objective).where(Objective.programme_id == programme_id).order_by(Objective.position)
    )
    for objective in objectives:
        for phase in (RatingPhase.END, RatingPhase.MIDPOINT):
            n, before, after = (
                await session.execute(
                    select(func.count(), func.avg(base.rating), func.avg(later.rating))
                    .select_from(base)
                    .join(
                        later,
                        and_(
                            later.participant_id == base.participant_id,
                            later.objective_id == base.objective_id,
                            later.phase == phase,
                        ),
                    )
                    .where(base.objective_id == objective.id, base.phase == RatingPhase.BASELINE)
                )
            ).one()
            if n or phase == RatingPhase.MIDPOINT:
                shown = _enough(n, minimum)
                result.append(
                    Uplift(
                        objective.title,
                        objective.measure,
                        n,
                        round(float(before), 2) if shown else None,
                        round(float(after), 2) if shown else None,
                        phase,
                    )
                )
                break
    return result
