"""Mentee-led choice. In a programme where mentees choose (or both: mentees may choose until
the lead matches), closing enrolment sends each mentee their suggestions: the mentors the
engine finds compatible under the programme's hard rules and with a free place, best first,
with the engine's reasons and what each mentor offered at sign-up. The mentee asks one; the
mentor accepts or declines privately (a decline is never shown as such: the mentee is simply
offered their suggestions again). An accepted request is pinned in the lead's next matching
run (pool.py), so chosen pairs are previewed, approved and introduced like every other pair.

A waiting request holds one of the mentor's places. Every write here takes the programme's
row lock first (PostgreSQL's row lock, SQLite's write lock), so two mentees asking for a
mentor's last place, a mentor answering and a lead closing the window are served one after
another, whichever replicas they reach. Plain values in and out; no Slack."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import rowcount
from bot.models import (
    MatchingMode,
    MentorRequest,
    Participant,
    ParticipantStatus,
    Programme,
    ProgrammeStatus,
    RequestStatus,
    Role,
    Sweep,
)
from bot.services import audit, leads, outbox, programmes, sweeping
from bot.services.errors import Refused
from bot.services.matching.engine import ranked_mentors
from bot.services.matching.model import MatchInput
from bot.services.matching.model import Pair as Proposal
from bot.services.matching.pool import load_pool
from bot.services.outbox import Kind, Message, Quiet
from bot.services.workspaces import installed

SHORTLIST = 5  # suggestions shown at once
LIVE = (RequestStatus.OPEN, RequestStatus.ACCEPTED)


class ChoosingError(Refused):
    """A step of choosing that the rules refuse; the words are for the person who tried."""


class MentorFull(ChoosingError):
    """The mentor's last place went to someone else first."""

    def __init__(self, programme_id: int, mentor_name: str) -> None:
        super().__init__(f"{mentor_name} has no free place any more.")
        self.programme_id = programme_id
        self.mentor_name = mentor_name


NOT_YOURS = "These suggestions are someone else's, so the button did nothing."
NOT_OFFERED = "That mentor is not among your suggestions, so nothing was asked."


@dataclass(frozen=True)
class Suggestion:
    """A mentor a mentee may ask: only what the mentor chose to write at sign-up (topics they
    offer, skills and goals in their own words) and the engine's reasons, never a grade, a
    line manager or a score."""

    mentor_id: int  # the mentor's participant id
    name: str
    topics: tuple[str, ...]
    skills: str
    goals: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Shortlist:
    programme_id: int
    programme_name: str
    mentee_id: int  # the mentee's participant id: the request buttons carry it
    answer_days: int
    suggestions: tuple[Suggestion, ...] = ()
    waiting_for: str | None = None  # the mentor whose answer is awaited
    agreed_with: str | None = None  # the mentor who accepted


@dataclass(frozen=True)
class Requested:
    programme_name: str
    mentor_name: str
    answer_days: int


@dataclass(frozen=True)
class Answered:
    accepted: bool
    programme_name: str
    mentee_name: str


@dataclass(frozen=True)
class Standing:
    """Where choosing stands in a programme, for its leads: names are theirs to see."""

    programme_id: int
    programme_name: str
    agreed: int
    waiting: int
    without: tuple[tuple[int, str], ...]  # (participant id, name): no mentor agreed yet


@dataclass(frozen=True)
class Closed:
    programme_name: str
    agreed: int
    withdrawn: int


def choosing_open(programme: Programme) -> bool:
    """Mentees may choose: enrolment has closed, and the lead has not closed choosing."""
    return (
        programme.matching_mode != MatchingMode.LEAD
        and programme.status == ProgrammeStatus.MATCHING
        and programme.choosing_closed_at is None
    )


def _name(person: Participant) -> str:
    return person.display_name or "A colleague"


async def _lock(session: AsyncSession, programme_id: int) -> None:
    """The programme's row lock, taken by a write before anything is read, so every step of
    choosing in one programme waits for the one before it (on SQLite: the write lock)."""
    await session.execute(
        update(Programme)
        .where(Programme.id == programme_id)
        .values(updated_at=Programme.updated_at)
    )


async def _people(session: AsyncSession, programme_id: int) -> dict[int, Participant]:
    people = await session.scalars(
        select(Participant).where(Participant.programme_id == programme_id)
    )
    return {p.id: p for p in people}


async def _requests(session: AsyncSession, programme_id: int) -> list[MentorRequest]:
    return list(
        await session.scalars(
            select(MentorRequest).where(MentorRequest.programme_id == programme_id)
        )
    )


async def _mentee(
    session: AsyncSession, *, team_id: str, programme_id: int, user_id: str
) -> tuple[Programme, Participant]:
    """The programme and the person choosing in it, while they are one of its mentees."""
    programme = await programmes.get_programme(session, team_id=team_id, programme_id=programme_id)
    mentee = await programmes.signed_up_participant(
        session, team_id=team_id, programme_id=programme_id, user_id=user_id
    )
    if programme is None or mentee is None or mentee.role != Role.MENTEE:
        raise ChoosingError("Choosing a mentor is for the programme's mentees.")
    if not choosing_open(programme):
        raise ChoosingError(
            f"Choosing has closed in “{programme.name}”: your programme lead matches everyone "
            "who has no partner yet."
        )
    return programme, mentee


@dataclass(frozen=True)
class _Offer:
    ranked: tuple[Proposal, ...]  # mentors with a free place, best first
    compatible: frozenset[str]  # the Slack ids of those the rules allow, free place or not


async def _offer(
    session: AsyncSession,
    programme: Programme,
    mentee: Participant,
    people: dict[int, Participant],
    requests: Sequence[MentorRequest],
    now: datetime,
) -> _Offer:
    """The engine's view of this mentee's choice: its pool and rules, each mentor's places
    less those held by waiting or agreed requests, and never a mentor asked before."""
    data = await load_pool(session, programme=programme, at=now)
    me = next((c for c in data.mentees if c.id == mentee.user_id), None)
    if me is None:
        raise ChoosingError(f"You already have a partner in “{programme.name}”.")
    held = Counter(
        people[r.mentor_id].user_id
        for r in requests
        if r.status in LIVE and people[r.mentee_id].status == ParticipantStatus.SIGNED_UP
    )
    asked = {
        (people[r.mentor_id].user_id, mentee.user_id) for r in requests if r.mentee_id == mentee.id
    }
    alone = MatchInput(
        mentors=tuple(replace(c, taken=c.taken + held[c.id]) for c in data.mentors),
        mentees=(me,),
        rules=data.rules,
        forbidden=data.forbidden | asked,
        managers=data.managers,
    )
    unlimited = replace(alone, mentors=tuple(replace(c, taken=0) for c in alone.mentors))
    return _Offer(ranked_mentors(alone), frozenset(p.mentor_id for p in ranked_mentors(unlimited)))


def _suggestion(proposal: Proposal, mentor: Participant) -> Suggestion:
    return Suggestion(
        mentor_id=mentor.id,
        name=_name(mentor),
        topics=tuple(mentor.topics),
        skills=mentor.skills,
        goals=mentor.goals,
        reasons=tuple(r.text for r in proposal.reasons if r.points > 0),
    )


async def shortlist(
    session: AsyncSession, *, team_id: str, programme_id: int, user_id: str, now: datetime
) -> Shortlist:
    """What the mentee `user_id` sees: their suggestions, or the request they are waiting on,
    or the mentor who accepted."""
    programme, mentee = await _mentee(
        session, team_id=team_id, programme_id=programme_id, user_id=user_id
    )
    people = await _people(session, programme.id)
    requests = await _requests(session, programme.id)
    base = Shortlist(programme.id, programme.name, mentee.id, programme.answer_days)
    mine = next((r for r in requests if r.mentee_id == mentee.id and r.status in LIVE), None)
    if mine is not None:
        mentor = _name(people[mine.mentor_id])
        if mine.status == RequestStatus.ACCEPTED:
            return replace(base, agreed_with=mentor)
        return replace(base, waiting_for=mentor)
    offer = await _offer(session, programme, mentee, people, requests, now)
    by_user = {p.user_id: p for p in people.values()}
    return replace(
        base,
        suggestions=tuple(_suggestion(p, by_user[p.mentor_id]) for p in offer.ranked[:SHORTLIST]),
    )


async def request_mentor(
    session: AsyncSession,
    *,
    team_id: str,
    user_id: str,
    mentor_id: int,
    mentee_id: int,
    now: datetime,
) -> Requested:
    """The mentee `user_id` asks mentor `mentor_id` from the suggestions made for mentee
    `mentee_id`, which must be theirs; the mentor must fit the rules and have a free place."""
    programme_id = await session.scalar(
        select(Participant.programme_id).where(Participant.id == mentee_id)
    )
    if programme_id is None:
        raise ChoosingError(NOT_YOURS)
    await _lock(session, programme_id)
    programme, mentee = await _mentee(
        session, team_id=team_id, programme_id=programme_id, user_id=user_id
    )
    if mentee.id != mentee_id:
        raise ChoosingError(NOT_YOURS)
    people = await _people(session, programme.id)
    requests = await _requests(session, programme.id)
    if any(r.mentee_id == mentee.id and r.status in LIVE for r in requests):
        raise ChoosingError("You have asked a mentor already; we'll tell you their answer.")
    offer = await _offer(session, programme, mentee, people, requests, now)
    mentor = people.get(mentor_id)
    proposal = next((p for p in offer.ranked if mentor and p.mentor_id == mentor.user_id), None)
    if mentor is None or proposal is None:
        if mentor is not None and mentor.user_id in offer.compatible:
            raise MentorFull(programme.id, _name(mentor))
        raise ChoosingError(NOT_OFFERED)
    request = MentorRequest(
        programme_id=programme.id,
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        status=RequestStatus.OPEN,
        created_at=now,
        expires_at=now + timedelta(days=programme.answer_days),
    )
    session.add(request)
    await session.flush()
    params = {
        "request_id": request.id,
        "mentee": _name(mentee),
        "topics": list(mentee.topics),
        "reasons": [r.text for r in proposal.reasons if r.points > 0],
        "days": programme.answer_days,
    }
    key = f"mentor-request:{request.id}"
    await _tell(session, programme, mentor, Kind.MENTOR_REQUEST, key, params, now=now)
    return Requested(programme.name, _name(mentor), programme.answer_days)


async def _tell(
    session: AsyncSession,
    programme: Programme,
    to: Participant,
    kind: Kind,
    key: str,
    params: dict[str, Any],
    *,
    now: datetime,
    quiet: bool = False,
) -> int:
    """Queue one message about choosing to a participant, once (its key); with `quiet`, it
    waits for the end of their quiet hours (a sweep's message, not an answer to anyone)."""
    message = Message(
        key=key,
        kind=kind,
        team_id=programme.team_id,
        channel_id=to.user_id,
        params={"programme_id": programme.id, "programme": programme.name, **params},
        quiet=Quiet.of(programme, to.user_id, to.tz, budgeted=False) if quiet else None,
        participant_id=to.id,
    )
    return await outbox.enqueue(session, [message], now=now)


ANSWERED = {
    RequestStatus.ACCEPTED: "You accepted this request already.",
    RequestStatus.DECLINED: "You answered this request already.",
    RequestStatus.EXPIRED: "This request lapsed before it was answered, so there is nothing "
    "to answer now.",
    RequestStatus.WITHDRAWN: "This request was withdrawn (choosing closed, or one of you left), "
    "so there is nothing to answer now.",
}


async def answer_request(
    session: AsyncSession,
    *,
    team_id: str,
    user_id: str,
    request_id: int,
    accept: bool,
    now: datetime,
) -> Answered:
    """The mentor `user_id` accepts or declines the request made to them. The mentee hears a
    yes; after a no they are simply offered their suggestions again."""
    programme_id = await session.scalar(
        select(MentorRequest.programme_id).where(MentorRequest.id == request_id)
    )
    if programme_id is None:
        raise ChoosingError("That request is no longer there.")
    await _lock(session, programme_id)
    request = await session.get(MentorRequest, request_id)
    programme = await programmes.get_programme(session, team_id=team_id, programme_id=programme_id)
    people = await _people(session, programme_id)
    if request is None or programme is None or people[request.mentor_id].user_id != user_id:
        raise ChoosingError("This request was sent to someone else, so the button did nothing.")
    mentee = people[request.mentee_id]
    if request.status != RequestStatus.OPEN:
        raise ChoosingError(ANSWERED[request.status])
    if not choosing_open(programme) or mentee.status != ParticipantStatus.SIGNED_UP:
        raise ChoosingError(ANSWERED[RequestStatus.WITHDRAWN])
    if not await _settle(session, request, accept=accept, now=now):
        raise ChoosingError(ANSWERED[request.status])  # the sweep lapsed it a moment ago
    mentor = _name(people[request.mentor_id])
    if accept:
        params: dict[str, Any] = {"request_id": request.id, "mentor": mentor}
        key = f"choice-accepted:{request.id}"
        await _tell(session, programme, mentee, Kind.CHOICE_ACCEPTED, key, params, now=now)
    else:
        await _choose_again(session, programme, mentee, request, now=now)
    return Answered(accept, programme.name, _name(mentee))


async def _settle(
    session: AsyncSession, request: MentorRequest, *, accept: bool, now: datetime
) -> bool:
    """Answer a waiting request, only if it is still waiting: the sweep that lapses requests
    holds their rows, not the programme's, so the answer is a conditional update (which, on
    PostgreSQL, waits for the sweep and then finds the request lapsed)."""
    status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    done = await session.execute(
        update(MentorRequest)
        .where(MentorRequest.id == request.id, MentorRequest.status == RequestStatus.OPEN)
        .values(status=status, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(request)
    return rowcount(done) == 1


async def _choose_again(
    session: AsyncSession,
    programme: Programme,
    mentee: Participant,
    request: MentorRequest,
    *,
    now: datetime,
    quiet: bool = False,
) -> int:
    """The mentee's suggestions again after a request did not lead to a pair: the same words
    whether the mentor declined or did not answer in time."""
    params = {"again": True, "days": programme.answer_days, "mode": programme.matching_mode.value}
    key = f"choose-again:{request.id}"
    return await _tell(session, programme, mentee, Kind.CHOOSE, key, params, now=now, quiet=quiet)


async def close_enrolment(
    session: AsyncSession, *, team_id: str, programme_id: int, now: datetime
) -> tuple[Programme, int]:
    """Close enrolment; where mentees choose, invite each mentee to choose their mentor.
    Returns the programme and how many mentees were invited."""
    programme = await programmes.close_enrolment(
        session, team_id=team_id, programme_id=programme_id, now=now
    )
    if not choosing_open(programme):
        return programme, 0
    params = {"again": False, "days": programme.answer_days, "mode": programme.matching_mode.value}
    invited = 0
    for person in (await _people(session, programme.id)).values():
        if person.role == Role.MENTEE and person.status == ParticipantStatus.SIGNED_UP:
            key = f"choose:{person.id}"
            invited += await _tell(session, programme, person, Kind.CHOOSE, key, params, now=now)
    return programme, invited


async def standing(session: AsyncSession, *, programme: Programme) -> Standing:
    """How many mentees have a mentor who agreed, how many wait for an answer, and who has
    no mentor agreed yet."""
    people = await _people(session, programme.id)
    requests = await _requests(session, programme.id)
    mentees = [
        p
        for p in people.values()
        if p.role == Role.MENTEE and p.status == ParticipantStatus.SIGNED_UP
    ]
    agreed = {r.mentee_id for r in requests if r.status == RequestStatus.ACCEPTED}
    waiting = {r.mentee_id for r in requests if r.status == RequestStatus.OPEN}
    without = sorted(((p.id, _name(p)) for p in mentees if p.id not in agreed), key=_by_name)
    return Standing(
        programme.id,
        programme.name,
        agreed=sum(p.id in agreed for p in mentees),
        waiting=sum(p.id in waiting for p in mentees),
        without=tuple(without),
    )


def _by_name(person: tuple[int, str]) -> tuple[str, int]:
    return person[1], person[0]


async def close_choosing(
    session: AsyncSession, *, team_id: str, programme_id: int, now: datetime
) -> Closed:
    """The lead closes choosing: requests still waiting are withdrawn (their mentees are told
    the lead will match them); agreed ones stay, pinned in the lead's matching run."""
    await _lock(session, programme_id)
    programme = await programmes.get_programme(session, team_id=team_id, programme_id=programme_id)
    if programme is None or not choosing_open(programme):
        raise ChoosingError("Mentees are not choosing their mentors in that programme now.")
    programme.choosing_closed_at = now
    people = await _people(session, programme.id)
    # Only what still waits: a request the sweep is lapsing right now stays lapsed.
    waiting = (
        await session.execute(
            update(MentorRequest)
            .where(
                MentorRequest.programme_id == programme.id,
                MentorRequest.status == RequestStatus.OPEN,
            )
            .values(status=RequestStatus.WITHDRAWN, decided_at=now)
            .returning(MentorRequest.id, MentorRequest.mentor_id, MentorRequest.mentee_id)
            .execution_options(synchronize_session=False)
        )
    ).all()
    for request_id, mentor_id, mentee_id in sorted(waiting):
        params = {"request_id": request_id, "mentor": _name(people[mentor_id])}
        key = f"choosing-closed:{request_id}"
        mentee = people[mentee_id]
        await _tell(session, programme, mentee, Kind.CHOOSING_CLOSED, key, params, now=now)
    agreed = await session.scalar(
        select(func.count()).where(
            MentorRequest.programme_id == programme.id,
            MentorRequest.status == RequestStatus.ACCEPTED,
        )
    )
    return Closed(programme.name, agreed or 0, len(waiting))


# The leads hear who is still without a partner at most once a day, and see this many names.
NAMES_SHOWN = 20


async def expire(session: AsyncSession, *, now: datetime) -> sweeping.Queued:
    """Requests left unanswered past their days lapse: each mentee is offered their suggestions
    again (the words a decline brings), and the leads of each programme hear who is still
    without a partner. Claimed like every sweep's rows, so replicas share the work."""
    await outbox.begin_claim(session)
    due = list(
        await session.scalars(
            sweeping.claim(
                select(MentorRequest)
                .join(Programme, Programme.id == MentorRequest.programme_id)
                .where(
                    installed(Programme.team_id),
                    MentorRequest.status == RequestStatus.OPEN,
                    MentorRequest.expires_at <= now,
                ),
                sweep=Sweep.REQUESTS,
                item_id=MentorRequest.id,
                now=now,
            )
        )
    )

    async def lapse(batch: Sequence[MentorRequest]) -> int:
        queued = 0
        for programme_id in sorted({r.programme_id for r in batch}):
            programme = await session.get(Programme, programme_id)
            assert programme is not None  # the request's programme, which the join found
            people = await _people(session, programme_id)
            for request in (r for r in batch if r.programme_id == programme_id):
                request.status, request.decided_at = RequestStatus.EXPIRED, now
                mentee = people[request.mentee_id]
                if choosing_open(programme) and mentee.status == ParticipantStatus.SIGNED_UP:
                    queued += await _choose_again(
                        session, programme, mentee, request, now=now, quiet=True
                    )
            if choosing_open(programme):
                queued += await _tell_leads(session, programme, now=now)
        return queued

    done = await sweeping.together(
        session, items=due, step=lapse, sweep=Sweep.REQUESTS, key=lambda r: r.id, now=now
    )
    return sweeping.Queued.of(done)


async def _tell_leads(session: AsyncSession, programme: Programme, *, now: datetime) -> int:
    """Each lead of the programme hears, once that day, who is still without a partner."""
    now_standing = await standing(session, programme=programme)
    params = {
        "programme_id": programme.id,
        "programme": programme.name,
        "agreed": now_standing.agreed,
        "waiting": now_standing.waiting,
        "without": [name for _, name in now_standing.without[:NAMES_SHOWN]],
        "more": max(len(now_standing.without) - NAMES_SHOWN, 0),
        "mode": programme.matching_mode.value,
    }
    queued = 0
    for lead_id in await leads.lead_ids(session, programme_id=programme.id):
        message = Message(
            key=f"still-choosing:{programme.id}:{lead_id}:{now.date().isoformat()}",
            kind=Kind.STILL_CHOOSING,
            team_id=programme.team_id,
            channel_id=lead_id,
            params=params,
        )
        if not await outbox.enqueue(session, [message], now=now):
            continue  # told already today
        queued += 1
        await audit.record(
            session,
            team_id=programme.team_id,
            lead_id=lead_id,
            view=audit.View.CHOOSING,
            programme_id=programme.id,
            participant_ids=[pid for pid, _ in now_standing.without[:NAMES_SHOWN]],
            now=now,
        )
    return queued
