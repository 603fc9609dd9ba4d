"""Whether a queued message still makes sense at the moment it would be delivered.

A message can wait hours or days in the outbox (quiet hours, the weekly budget, Slack's pace),
and what it is about can change meanwhile: the pair pauses or ends, the person leaves or erases
their data, the survey is answered or closes, the programme closes, the app is uninstalled.
The change usually withdraws what it made moot, but a message queued by another replica a
moment later, or one a change did not know about, would still go. So the sender asks here for
every batch it claims, and a message the programme has moved past is withdrawn with the
reason: never sent, never retried.

RULES holds, for every kind, the checks its message must still pass. The state they read is
loaded once per batch, one query per table, and only for the kinds in the batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, bindparam, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.models import (
    Agreement,
    AgreementStatus,
    ChemistryDecision,
    ChemistryMeeting,
    MeetingStatus,
    MentorRequest,
    Outbox,
    Pair,
    PairStatus,
    Participant,
    ParticipantStatus,
    Programme,
    ProgrammeLead,
    ProgrammeStatus,
    RequestStatus,
    Resource,
    Rsvp,
    SafeSpace,
    SessionLog,
    SocialEvent,
    SocialInvite,
    Survey,
    SurveyInvite,
    Workspace,
)
from bot.services import balance
from bot.services.matching.choosing import choosing_open
from bot.services.outbox import Kind
from bot.services.resources import POSTING
from bot.services.surveys import SURVEYING
from bot.services.workspaces import UNINSTALLED


@dataclass(frozen=True)
class _PairState:
    status: PairStatus
    paused: bool
    agreed: bool
    ladder_step: int
    programme_id: int
    programme_status: ProgrammeStatus


@dataclass(frozen=True)
class _Meeting:
    status: MeetingStatus
    proposed_by: int
    starts_at: datetime | None


@dataclass(frozen=True)
class _Invite:
    answered: bool
    closes_at: datetime
    programme_status: ProgrammeStatus


@dataclass(frozen=True)
class _Social:
    sequence: int
    starts_at: datetime
    cancelled: bool
    programme_status: ProgrammeStatus


@dataclass
class Facts:
    """What a batch of messages depends on, as the database says now."""

    now: datetime
    uninstalled: set[str] = field(default_factory=set)
    pairs: dict[int, _PairState] = field(default_factory=dict)
    people: dict[int, ParticipantStatus] = field(default_factory=dict)
    members: dict[tuple[int, str], ParticipantStatus] = field(default_factory=dict)
    programmes: dict[int, ProgrammeStatus] = field(default_factory=dict)
    leads: set[tuple[int, str]] = field(default_factory=set)
    meetings: dict[int, list[_Meeting]] = field(default_factory=lambda: defaultdict(list))
    decided: set[tuple[int, int]] = field(default_factory=set)
    agreements: dict[int, list[tuple[AgreementStatus, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    invites: dict[tuple[int, int], _Invite] = field(default_factory=dict)
    pairs_of: dict[int, list[_PairState]] = field(default_factory=lambda: defaultdict(list))
    removed: dict[int, bool] = field(default_factory=dict)  # resource id: removed since
    spaces: set[tuple[int, str]] = field(default_factory=set)  # programme, channel
    choosing: set[int] = field(default_factory=set)  # programmes whose mentees choose now
    requests: dict[int, RequestStatus] = field(default_factory=dict)
    sessions: dict[int, list[balance.Held]] = field(default_factory=dict)  # by pair
    sponsors: dict[int, str | None] = field(default_factory=dict)  # programme: its sponsor
    started: set[int] = field(default_factory=set)  # people whose pair has held a session
    socials: dict[int, _Social] = field(default_factory=dict)
    rsvps: dict[tuple[int, int], Rsvp | None] = field(default_factory=dict)  # event, person


Check = Callable[[Outbox, Facts], str | None]
Loader = Callable[[AsyncSession, Sequence[Outbox], Facts], Awaitable[None]]
Columns = TypeVarTuple("Columns")


def _param(row: Outbox, name: str) -> Any:
    return (row.params or {}).get(name)


def _ints(values: Iterable[Any]) -> list[int]:
    return sorted({int(v) for v in values if v is not None})


async def _where_in(
    session: AsyncSession,
    query: Select[*Columns],
    column: InstrumentedAttribute[int],
    values: Iterable[Any],
) -> Sequence[Row[*Columns]]:
    """The query's rows whose `column` is one of the ids among `values`; none, without a query,
    when there are no ids."""
    ids = _ints(values)
    if not ids:
        return []
    return (await session.execute(query.where(column.in_(ids)))).all()


# --- Loaders: one query each, for the rows whose checks read what it loads -----------------


async def _workspaces(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    teams = sorted({r.team_id for r in rows})
    facts.uninstalled = set(await session.scalars(_uninstalled(), {"teams": teams}))


@cache
def _uninstalled() -> Select[str]:
    """Built once: every claim of a batch asks."""
    return select(Workspace.team_id).where(
        Workspace.team_id.in_(bindparam("teams", expanding=True)),
        Workspace.uninstalled_at.is_not(None),
    )


def _pair_state(pair: Pair, programme_status: ProgrammeStatus) -> _PairState:
    return _PairState(
        pair.status,
        pair.paused_at is not None,
        pair.agreed_at is not None,
        pair.ladder_step,
        pair.programme_id,
        programme_status,
    )


def _pairs_and_programme_status() -> Select[Pair, ProgrammeStatus]:
    return select(Pair, Programme.status).join(Programme, Programme.id == Pair.programme_id)


async def _pairs(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = _pairs_and_programme_status()
    found = await _where_in(session, query, Pair.id, (r.pair_id for r in rows))
    facts.pairs = {pair.id: _pair_state(pair, status) for pair, status in found}


async def _people(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(Participant.id, Participant.status)
    found = await _where_in(session, query, Participant.id, (r.participant_id for r in rows))
    facts.people = {key: value for key, value in found}


async def _members(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    """People by programme and Slack user, for messages that name no participant."""
    wanted = {(int(p), r.channel_id) for r in rows if (p := _param(r, "programme_id"))}
    if wanted:
        found = await session.execute(
            select(Participant.programme_id, Participant.user_id, Participant.status).where(
                tuple_(Participant.programme_id, Participant.user_id).in_(sorted(wanted))
            )
        )
        facts.members = {(p, u): status for p, u, status in found}


async def _programmes(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(Programme.id, Programme.status)
    found = await _where_in(session, query, Programme.id, (_param(r, "programme_id") for r in rows))
    facts.programmes = {key: value for key, value in found}


def _programme_of(row: Outbox, facts: Facts) -> int | None:
    pair = facts.pairs.get(row.pair_id) if row.pair_id else None
    if pair is not None:
        return pair.programme_id
    value = _param(row, "programme_id")
    return int(value) if value is not None else None


async def _leads(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(ProgrammeLead.programme_id, ProgrammeLead.user_id).where(
        ProgrammeLead.is_supporter.is_(False)
    )
    programmes = (_programme_of(r, facts) for r in rows)
    found = await _where_in(session, query, ProgrammeLead.programme_id, programmes)
    facts.leads = {(a, b) for a, b in found}


async def _meetings(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(
        ChemistryMeeting.pair_id,
        ChemistryMeeting.status,
        ChemistryMeeting.proposed_by,
        ChemistryMeeting.starts_at,
    )
    found = await _where_in(session, query, ChemistryMeeting.pair_id, (r.pair_id for r in rows))
    for pair_id, status, proposed_by, starts_at in found:
        facts.meetings[pair_id].append(_Meeting(status, proposed_by, starts_at))


async def _decisions(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(ChemistryDecision.pair_id, ChemistryDecision.participant_id)
    found = await _where_in(session, query, ChemistryDecision.pair_id, (r.pair_id for r in rows))
    facts.decided = {(a, b) for a, b in found}


async def _agreements(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(Agreement.pair_id, Agreement.status, Agreement.proposed_by)
    found = await _where_in(session, query, Agreement.pair_id, (r.pair_id for r in rows))
    for pair_id, status, proposed_by in found:
        facts.agreements[pair_id].append((status, proposed_by))


async def _invites(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    wanted = {
        (int(s), r.participant_id)
        for r in rows
        if (s := _param(r, "survey_id")) is not None and r.participant_id
    }
    if wanted:
        found = await session.execute(
            select(
                SurveyInvite.survey_id,
                SurveyInvite.participant_id,
                SurveyInvite.answered,
                Survey.closes_at,
                Programme.status,
            )
            .join(Survey, Survey.id == SurveyInvite.survey_id)
            .join(Programme, Programme.id == Survey.programme_id)
            .where(tuple_(SurveyInvite.survey_id, SurveyInvite.participant_id).in_(sorted(wanted)))
        )
        facts.invites = {
            (s, p): _Invite(answered, closes_at, status)
            for s, p, answered, closes_at, status in found
        }


async def _pairs_of_people(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    ids = _ints(r.participant_id for r in rows)
    if ids:
        found = await session.execute(
            _pairs_and_programme_status().where(
                or_(Pair.mentor_id.in_(ids), Pair.mentee_id.in_(ids))
            )
        )
        for pair, status in found:
            for person in (pair.mentor_id, pair.mentee_id):
                facts.pairs_of[person].append(_pair_state(pair, status))


async def _resources(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(Resource.id, Resource.removed_at)
    found = await _where_in(session, query, Resource.id, (_param(r, "resource_id") for r in rows))
    facts.removed = {rid: removed_at is not None for rid, removed_at in found}
    with_channel = select(SafeSpace.programme_id, SafeSpace.channel_id).where(
        SafeSpace.channel_id.is_not(None)
    )
    programmes = (_param(r, "programme_id") for r in rows)
    spaces = await _where_in(session, with_channel, SafeSpace.programme_id, programmes)
    facts.spaces = {(p, c) for p, c in spaces if c is not None}


async def _choosing(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(Programme)
    found = await _where_in(session, query, Programme.id, (_param(r, "programme_id") for r in rows))
    facts.choosing = {p.id for (p,) in found if choosing_open(p)}


async def _requests(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(MentorRequest.id, MentorRequest.status)
    found = await _where_in(
        session, query, MentorRequest.id, (_param(r, "request_id") for r in rows)
    )
    facts.requests = {key: value for key, value in found}


async def _sessions(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    facts.sessions = await balance.sessions_of(session, _ints(r.pair_id for r in rows))


async def _sponsors(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(Programme.id, Programme.sponsor_id)
    found = await _where_in(session, query, Programme.id, (_param(r, "programme_id") for r in rows))
    facts.sponsors = {key: value for key, value in found}


async def _started(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    ids = _ints(r.participant_id for r in rows)
    if ids:
        found = await session.execute(
            select(Pair.mentor_id, Pair.mentee_id)
            .join(SessionLog, SessionLog.pair_id == Pair.id)
            .where(or_(Pair.mentor_id.in_(ids), Pair.mentee_id.in_(ids)))
        )
        facts.started = {person for pair in found for person in pair if person in ids}


async def _socials(session: AsyncSession, rows: Sequence[Outbox], facts: Facts) -> None:
    query = select(
        SocialEvent.id,
        SocialEvent.sequence,
        SocialEvent.starts_at,
        SocialEvent.cancelled_at,
        Programme.status,
    ).join(Programme, Programme.id == SocialEvent.programme_id)
    events = (_param(r, "event_id") for r in rows)
    found = await _where_in(session, query, SocialEvent.id, events)
    facts.socials = {
        event_id: _Social(sequence, starts_at, cancelled_at is not None, status)
        for event_id, sequence, starts_at, cancelled_at, status in found
    }
    wanted = {
        (int(e), r.participant_id)
        for r in rows
        if (e := _param(r, "event_id")) is not None and r.participant_id
    }
    if wanted:
        answers = await session.execute(
            select(SocialInvite.event_id, SocialInvite.participant_id, SocialInvite.answer).where(
                tuple_(SocialInvite.event_id, SocialInvite.participant_id).in_(sorted(wanted))
            )
        )
        facts.rsvps = {(e, p): answer for e, p, answer in answers}


# --- Checks: None while the message still makes sense, else why it is withdrawn -------------

_NEEDS: dict[Check, tuple[Loader, ...]] = {}


def _reads(*loaders: Loader) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        _NEEDS[check] = loaders
        return check

    return register


@_reads(_workspaces)
def installed(row: Outbox, facts: Facts) -> str | None:
    return UNINSTALLED if row.team_id in facts.uninstalled else None


@_reads(_people)
def still_signed_up(row: Outbox, facts: Facts) -> str | None:
    """The person it is for has not left the programme nor erased their data."""
    if facts.people.get(row.participant_id or 0) != ParticipantStatus.SIGNED_UP:
        return "left the programme"
    return None


def _pair_check(row: Outbox, facts: Facts, want: PairStatus) -> str | None:
    pair = facts.pairs.get(row.pair_id or 0)
    if pair is None:
        return "pair gone"
    if pair.programme_status == ProgrammeStatus.CLOSED:
        return "programme closed"
    if pair.status == PairStatus.DISSOLVED:
        return "pair ended"
    if pair.status != want:
        return f"pair {pair.status}"
    if pair.paused:
        return "pair paused"
    return None


@_reads(_pairs)
def pair_introduced(row: Outbox, facts: Facts) -> str | None:
    """Introduced and still deciding: not ended, not confirmed yet."""
    return _pair_check(row, facts, PairStatus.INTRODUCED)


@_reads(_pairs)
def pair_going(row: Outbox, facts: Facts) -> str | None:
    """Confirmed, not paused, in a programme that has not closed."""
    return _pair_check(row, facts, PairStatus.CONFIRMED)


def ladder_at(rung: int) -> Check:
    """The ladder has not started again (a session logged or booked, a resume) since this
    rung was queued: a restart puts it back to the bottom."""

    @_reads(_pairs)
    def check(row: Outbox, facts: Facts) -> str | None:
        pair = facts.pairs.get(row.pair_id or 0)
        if pair is not None and pair.ladder_step < rung:
            return "ladder restarted"
        return None

    return check


@_reads(_pairs, _leads)
def to_a_lead(row: Outbox, facts: Facts) -> str | None:
    """Sent to someone who is still one of the programme's leads."""
    if (_programme_of(row, facts), row.channel_id) not in facts.leads:
        return "no longer a lead"
    return None


@_reads(_sponsors)
def to_the_sponsor(row: Outbox, facts: Facts) -> str | None:
    """Sent to someone who is still the programme's executive sponsor."""
    sponsor = facts.sponsors.get(int(_param(row, "programme_id") or 0))
    if sponsor is None or sponsor != row.recipient_id:
        return "no longer the sponsor"
    return None


def programme_is(status: ProgrammeStatus) -> Check:
    @_reads(_programmes)
    def check(row: Outbox, facts: Facts) -> str | None:
        found = facts.programmes.get(int(_param(row, "programme_id") or 0))
        if found is None:
            return "programme gone"
        return None if found == status else f"programme {found}"

    return check


@_reads(_meetings)
def no_times_proposed(row: Outbox, facts: Facts) -> str | None:
    return "times proposed" if facts.meetings.get(row.pair_id or 0) else None


@_reads(_meetings)
def times_wait_for_recipient(row: Outbox, facts: Facts) -> str | None:
    """Times the other person proposed are still open for this one to answer."""
    if any(
        m.status == MeetingStatus.OPEN and m.proposed_by != row.participant_id
        for m in facts.meetings.get(row.pair_id or 0, ())
    ):
        return None
    return "times answered"


@_reads(_meetings, _decisions)
def decision_waits(row: Outbox, facts: Facts) -> str | None:
    """They met (the accepted time has passed) and this person has not said go or not for me."""
    if (row.pair_id, row.participant_id) in facts.decided:
        return "decision given"
    if not any(
        m.status == MeetingStatus.ACCEPTED and m.starts_at and m.starts_at <= facts.now
        for m in facts.meetings.get(row.pair_id or 0, ())
    ):
        return "meeting moved"
    return None


@_reads(_pairs, _agreements)
def no_agreement(row: Outbox, facts: Facts) -> str | None:
    pair = facts.pairs.get(row.pair_id or 0)
    if (pair is not None and pair.agreed) or facts.agreements.get(row.pair_id or 0):
        return "agreement proposed"
    return None


@_reads(_agreements)
def agreement_waits_for_recipient(row: Outbox, facts: Facts) -> str | None:
    """A version the other person proposed still waits for this one's confirmation."""
    if any(
        status == AgreementStatus.PROPOSED and proposed_by != row.participant_id
        for status, proposed_by in facts.agreements.get(row.pair_id or 0, ())
    ):
        return None
    return "agreement answered"


@_reads(_invites)
def survey_open(row: Outbox, facts: Facts) -> str | None:
    """Invited, not answered, the survey still open, the programme still surveying."""
    invite = facts.invites.get((int(_param(row, "survey_id") or 0), row.participant_id or 0))
    if invite is None:
        return "not invited"
    if invite.programme_status not in SURVEYING:
        return f"programme {invite.programme_status}"
    if invite.answered:
        return "survey answered"
    if invite.closes_at <= facts.now:
        return "survey closed"
    return None


@_reads(_pairs_of_people)
def in_an_active_pair(row: Outbox, facts: Facts) -> str | None:
    """Surveys go to people in an agreed pair that is not paused (none to a paused pair)."""
    theirs = facts.pairs_of.get(row.participant_id or 0, [])
    theirs = [p for p in theirs if p.status == PairStatus.CONFIRMED]
    if any(p.agreed and not p.paused for p in theirs):
        return None
    return "pair paused" if any(p.paused for p in theirs) else "pair ended"


@_reads(_programmes, _resources)
def resource_still_posted(row: Outbox, facts: Facts) -> str | None:
    """The resource is still in the library, the programme still posts, the space is there."""
    resource_id, programme_id = _param(row, "resource_id"), _param(row, "programme_id")
    if resource_id is None or programme_id is None:
        return None  # queued before messages named them: nothing to re-check
    if facts.removed.get(int(resource_id), True):
        return "resource removed"
    status = facts.programmes.get(int(programme_id))
    if status not in POSTING:
        return f"programme {status or 'gone'}"
    if (int(programme_id), row.channel_id) not in facts.spaces:
        return "space gone"
    return None


@_reads(_programmes, _members)
def newcomer_still_in(row: Outbox, facts: Facts) -> str | None:
    """The newcomer a starter set is for is still signed up, in a programme still open."""
    programme_id = _param(row, "programme_id")
    if programme_id is None:
        return None  # queued before messages named it: nothing to re-check
    status = facts.programmes.get(int(programme_id))
    if status is None or status == ProgrammeStatus.CLOSED:
        return f"programme {status or 'gone'}"
    if facts.members.get((int(programme_id), row.channel_id)) != ParticipantStatus.SIGNED_UP:
        return "left the programme"
    return None


@_reads(_resources)
def lesson_still_in_track(row: Outbox, facts: Facts) -> str | None:
    """The lesson has not been removed from the library since it was queued."""
    if facts.removed.get(int(_param(row, "resource_id") or 0), True):
        return "lesson removed"
    return None


@_reads(_started)
def before_first_session(row: Outbox, facts: Facts) -> str | None:
    """Preparation is for before the first session: once the pair has held one, it is moot."""
    return "first session held" if row.participant_id in facts.started else None


@_reads(_choosing)
def still_choosing(row: Outbox, facts: Facts) -> str | None:
    """Mentees still choose their mentors in the programme: the lead has not closed it."""
    return None if int(_param(row, "programme_id") or 0) in facts.choosing else "choosing closed"


def request_is(status: RequestStatus) -> Check:
    @_reads(_requests)
    def check(row: Outbox, facts: Facts) -> str | None:
        found = facts.requests.get(int(_param(row, "request_id") or 0))
        if found is None:
            return "request gone"
        return None if found == status else f"request {found}"

    return check


@_reads(_sessions)
def question_open(row: Outbox, facts: Facts) -> str | None:
    """The session asked about is still the pair's latest: answers close at the next one."""
    sessions = facts.sessions.get(row.pair_id or 0, [])
    if not sessions or sessions[-1].session_id != int(_param(row, "session_id") or 0):
        return "a later session is logged"
    return None


@_reads(_sessions)
def still_drifting(row: Outbox, facts: Facts) -> str | None:
    """The drift it is about still stands: an answer changed since may have undone it."""
    sessions = facts.sessions.get(row.pair_id or 0, [])
    if balance.drifted_from(sessions, int(_param(row, "since_session_id") or 0)):
        return None
    return "no longer drifting"


@_reads(_socials)
def social_as_queued(row: Outbox, facts: Facts) -> str | None:
    """The event is still on, ahead, and as the message tells it (a change sends its own)."""
    event = facts.socials.get(int(_param(row, "event_id") or 0))
    if event is None:
        return "event gone"
    if event.programme_status == ProgrammeStatus.CLOSED:
        return "programme closed"
    if event.cancelled:
        return "event cancelled"
    if event.starts_at <= facts.now:
        return "event started"
    if event.sequence != _param(row, "sequence"):
        return "event changed"
    return None


@_reads(_socials)
def social_called_off(row: Outbox, facts: Facts) -> str | None:
    """The event is still there, and cancelled (its notice is all that is left to say)."""
    event = facts.socials.get(int(_param(row, "event_id") or 0))
    if event is None:
        return "event gone"
    return None if event.cancelled else "event on"


@_reads(_socials)
def still_going(row: Outbox, facts: Facts) -> str | None:
    answer = facts.rsvps.get((int(_param(row, "event_id") or 0), row.participant_id or 0))
    return None if answer == Rsvp.GOING else "not going"


# Every kind, and what must still hold for its message to be sent; besides these, nothing
# goes to a workspace that uninstalled the app.
RULES: dict[str, tuple[Check, ...]] = {
    Kind.NUDGE_PAIR: (still_signed_up, pair_going, ladder_at(1)),
    Kind.NUDGE_MENTEE: (still_signed_up, pair_going, ladder_at(2)),
    Kind.LEAD_ALERT: (pair_going, ladder_at(3), to_a_lead),
    Kind.CHEMISTRY_REQUEST: (still_signed_up, pair_introduced, no_times_proposed),
    Kind.CHEMISTRY_ANSWER: (still_signed_up, pair_introduced, times_wait_for_recipient),
    Kind.DECISION: (still_signed_up, pair_introduced, decision_waits),
    Kind.AGREEMENT_NONE: (still_signed_up, pair_going, no_agreement),
    Kind.AGREEMENT_UNSIGNED: (still_signed_up, pair_going, agreement_waits_for_recipient),
    Kind.SURVEY: (still_signed_up, survey_open, in_an_active_pair),
    Kind.SURVEY_REMINDER: (still_signed_up, survey_open, in_an_active_pair),
    Kind.REVIEW_SUMMARY: (programme_is(ProgrammeStatus.REVIEWING), to_a_lead),
    Kind.PROGRAMME_CLOSED: (programme_is(ProgrammeStatus.CLOSED), to_a_lead),
    Kind.RESOURCE: (resource_still_posted,),
    Kind.STARTER_SET: (newcomer_still_in,),
    Kind.LESSON: (still_signed_up, lesson_still_in_track, before_first_session),
    Kind.PREPARATION_REMINDER: (still_signed_up, pair_introduced),
    Kind.PAUSE_OVER: (still_signed_up, pair_going),
    Kind.CHOOSE: (still_signed_up, still_choosing),
    Kind.MENTOR_REQUEST: (still_signed_up, request_is(RequestStatus.OPEN)),
    Kind.CHOICE_ACCEPTED: (still_signed_up, request_is(RequestStatus.ACCEPTED)),
    Kind.CHOOSING_CLOSED: (still_signed_up, request_is(RequestStatus.WITHDRAWN)),
    Kind.STILL_CHOOSING: (to_a_lead, still_choosing),
    Kind.SPONSOR_DIGEST: (programme_is(ProgrammeStatus.RUNNING), to_the_sponsor),
    Kind.SPONSOR_SUMMARY: (programme_is(ProgrammeStatus.CLOSED), to_the_sponsor),
    Kind.SPONSOR_ASKED: (to_a_lead,),
    Kind.INTRO: (pair_introduced,),
    Kind.BALANCE_QUESTION: (still_signed_up, pair_going, question_open),
    Kind.DRIFT_TIP: (still_signed_up, pair_going, still_drifting),
    Kind.DRIFT_ROLES: (still_signed_up, pair_going, still_drifting),
    Kind.SOCIAL_INVITE: (still_signed_up, social_as_queued),
    Kind.SOCIAL_CHANGED: (still_signed_up, social_as_queued),
    Kind.SOCIAL_CANCELLED: (still_signed_up, social_called_off),
    Kind.SOCIAL_REMINDER: (still_signed_up, social_as_queued, still_going),
    # A Home shows whatever the database holds when it goes: only an uninstall makes it moot.
    Kind.HOME: (installed,),
}
ALWAYS: tuple[Check, ...] = (installed,)


def checks_for(kind: str) -> tuple[Check, ...]:
    # An unknown kind is failed by the view that cannot render it.
    return tuple(dict.fromkeys(ALWAYS + RULES.get(kind, ())))


# Loaders in the order they run: the leads' loader reads the pairs'.
_ORDER: tuple[Loader, ...] = (
    _workspaces,
    _pairs,
    _people,
    _members,
    _programmes,
    _leads,
    _meetings,
    _decisions,
    _agreements,
    _invites,
    _pairs_of_people,
    _resources,
    _choosing,
    _requests,
    _sessions,
    _sponsors,
    _started,
    _socials,
)


async def stale(session: AsyncSession, rows: Sequence[Outbox], *, now: datetime) -> dict[int, str]:
    """Why each message of a claimed batch that no longer makes sense is withdrawn, by id."""
    if not rows:
        return {}
    facts = Facts(now=now)
    needing: dict[Loader, list[Outbox]] = defaultdict(list)
    for row in rows:
        for loader in {loader for check in checks_for(row.kind) for loader in _NEEDS[check]}:
            needing[loader].append(row)
    for loader in _ORDER:
        if needing.get(loader):
            await loader(session, needing[loader], facts)
    reasons = {}
    for row in rows:
        reason = next((r for r in (check(row, facts) for check in checks_for(row.kind)) if r), None)
        if reason:
            reasons[row.id] = reason
    return reasons
