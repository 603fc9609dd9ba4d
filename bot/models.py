"""Tables. Every row is keyed, directly or through its programme, by the Slack team id."""

from __future__ import annotations

import enum
from datetime import date, datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, UTCDateTime


def _bytewise(length: int) -> String:
    # An identifier, never sorted for people: PostgreSQL compares it byte by byte ("C")
    # rather than by the database's locale, which costs every index comparison. SQLite
    # compares bytes already.
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings: portable, and new values need no type migration.
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class ProgrammeStatus(enum.StrEnum):
    DRAFT = "draft"
    ENROLLING = "enrolling"
    MATCHING = "matching"
    RUNNING = "running"
    REVIEWING = "reviewing"
    CLOSED = "closed"


class Role(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class ParticipantStatus(enum.StrEnum):
    SIGNED_UP = "signed_up"
    WITHDRAWN = "withdrawn"


class Personality(enum.StrEnum):
    INTROVERT = "introvert"
    EXTROVERT = "extrovert"
    EITHER = "either"


class Medium(enum.StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"
    SITE_VISIT = "site_visit"
    ANY = "any"


class RatingPhase(enum.StrEnum):
    BASELINE = "baseline"
    MIDPOINT = "midpoint"
    END = "end"


class MatchingMode(enum.StrEnum):
    """Who decides the pairs of a programme."""

    LEAD = "lead"  # the lead's matching run, as previewed and approved
    CHOOSE = "choose"  # mentees choose from suggestions; the lead matches whoever is left
    BOTH = "both"  # mentees may choose until the lead runs matching for everyone else


class PreparationRule(enum.StrEnum):
    """Whether a pair's chemistry meeting waits for both to finish their preparation track."""

    RECOMMEND = "recommend"  # it may be arranged at any time; the track is recommended
    WAIT = "wait"  # it waits until both have finished their track


class Workspace(Base):
    __tablename__ = "workspace"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The Enterprise Grid org it belongs to, as Slack's requests from it say: an org-wide
    # installation names the org, not its workspaces, so this is how a team finds its token.
    enterprise_id: Mapped[str | None] = mapped_column(String(32), index=True)


class Programme(Base):
    __tablename__ = "programme"
    __table_args__ = (
        UniqueConstraint("team_id", "name"),
        CheckConstraint("sessions_planned > 0", name="sessions_planned_positive"),
        CheckConstraint("cadence_days > 0", name="cadence_days_positive"),
        CheckConstraint("session_minutes > 0", name="session_minutes_positive"),
        CheckConstraint("mentor_capacity > 0", name="mentor_capacity_positive"),
        CheckConstraint("min_survey_respondents >= 3", name="min_survey_respondents_floor"),
        CheckConstraint("starts_on < ends_on", name="starts_before_end"),
        CheckConstraint("purge_after_days >= 1", name="purge_after_days_positive"),
        CheckConstraint("answer_days > 0", name="answer_days_positive"),
        CheckConstraint("lesson_every_days > 0", name="lesson_every_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        ForeignKey("workspace.team_id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProgrammeStatus] = mapped_column(
        _enum(ProgrammeStatus), default=ProgrammeStatus.DRAFT
    )
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    ground_rules: Mapped[str] = mapped_column(Text, default="")

    # Contract defaults offered to every pair.
    sessions_planned: Mapped[int] = mapped_column(Integer)
    cadence_days: Mapped[int] = mapped_column(Integer)
    session_minutes: Mapped[int] = mapped_column(Integer)
    default_medium: Mapped[Medium] = mapped_column(_enum(Medium))

    # Matching: hard rules and soft weights.
    rule_mentor_more_junior: Mapped[bool] = mapped_column(Boolean, default=True)
    rule_outside_reporting_line: Mapped[bool] = mapped_column(Boolean, default=True)
    reporting_line_depth: Mapped[int] = mapped_column(Integer, default=2)
    rule_cross_department: Mapped[bool] = mapped_column(Boolean, default=False)
    max_tz_gap_hours: Mapped[int | None] = mapped_column(Integer)
    mentor_capacity: Mapped[int] = mapped_column(Integer, default=1)
    matching_weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # Mentee-led choice: who decides, how long a mentor has to answer a mentee's request, and
    # when the lead closed the choosing window (it opens when enrolment closes).
    matching_mode: Mapped[MatchingMode] = mapped_column(
        _enum(MatchingMode), default=MatchingMode.LEAD, server_default=MatchingMode.LEAD.value
    )
    answer_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    choosing_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Nudges and surveys.
    nudge_grace_days: Mapped[int] = mapped_column(Integer, default=7)
    pulse_every_weeks: Mapped[int] = mapped_column(Integer, default=4)
    quiet_hours_start: Mapped[int] = mapped_column(Integer, default=19)
    quiet_hours_end: Mapped[int] = mapped_column(Integer, default=8)
    weekly_message_budget: Mapped[int] = mapped_column(Integer, default=3)
    min_survey_respondents: Mapped[int] = mapped_column(Integer, default=5)

    enrolment_deadline: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    midpoint_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    announcement_channel_id: Mapped[str | None] = mapped_column(String(32))
    announcement_ts: Mapped[str | None] = mapped_column(String(32))
    # The end of the programme: its review opens on the end date, then it closes.
    reviewing_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Free text (notes, actions, reasons, comments, goals) is blanked this long after closing.
    purge_after_days: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whether the leads are members of the safe-space channels (by default they are not).
    leads_in_spaces: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Days between two resources posted to each safe space.
    resource_every_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    # The executive sponsor (a Slack user, not a lead): a monthly digest of figures while the
    # programme runs, and the final figures when it closes. `sponsor_digest_month` is the first
    # day of the month whose digest was last queued, so a sweep builds each month's once.
    sponsor_id: Mapped[str | None] = mapped_column(String(32))
    sponsor_digest_month: Mapped[date | None] = mapped_column(Date)
    # Preparation tracks: one lesson every so many days from sign-up, and whether the
    # chemistry meeting waits for both of a pair to finish theirs.
    lesson_every_days: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    preparation: Mapped[PreparationRule] = mapped_column(
        _enum(PreparationRule),
        default=PreparationRule.RECOMMEND,
        server_default=PreparationRule.RECOMMEND.value,
    )
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    objectives: Mapped[list[Objective]] = relationship(
        back_populates="programme", order_by="Objective.position", cascade="all, delete-orphan"
    )
    leads: Mapped[list[ProgrammeLead]] = relationship(
        back_populates="programme", cascade="all, delete-orphan"
    )


class Objective(Base):
    __tablename__ = "objective"
    __table_args__ = (UniqueConstraint("programme_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(150))
    measure: Mapped[str] = mapped_column(String(150))

    programme: Mapped[Programme] = relationship(back_populates="objectives")


class ProgrammeLead(Base):
    __tablename__ = "programme_lead"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    is_supporter: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    programme: Mapped[Programme] = relationship(back_populates="leads")


class Participant(Base):
    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("programme_id", "user_id"),
        CheckConstraint("grade_level BETWEEN 1 AND 9", name="grade_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    status: Mapped[ParticipantStatus] = mapped_column(
        _enum(ParticipantStatus), default=ParticipantStatus.SIGNED_UP
    )
    display_name: Mapped[str] = mapped_column(String(255), default="")
    tz: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(100))
    grade_level: Mapped[int] = mapped_column(Integer)
    line_manager_id: Mapped[str | None] = mapped_column(String(32))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills: Mapped[str] = mapped_column(Text, default="")
    personality: Mapped[Personality] = mapped_column(_enum(Personality))
    preferred_medium: Mapped[Medium] = mapped_column(_enum(Medium))
    goals: Mapped[str] = mapped_column(Text, default="")
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    ratings: Mapped[list[ObjectiveRating]] = relationship(
        back_populates="participant", cascade="all, delete-orphan"
    )


class ObjectiveRating(Base):
    """A participant's self-rating against an objective: baseline at sign-up, later re-rated."""

    __tablename__ = "objective_rating"
    __table_args__ = (
        UniqueConstraint("participant_id", "objective_id", "phase"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id", ondelete="CASCADE"))
    phase: Mapped[RatingPhase] = mapped_column(_enum(RatingPhase))
    rating: Mapped[int] = mapped_column(Integer)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    participant: Mapped[Participant] = relationship(back_populates="ratings")


class PairStatus(enum.StrEnum):
    PROPOSED = "proposed"  # in the lead's preview, not yet approved
    INTRODUCED = "introduced"  # approved; chemistry meeting to come
    CONFIRMED = "confirmed"  # both said "go"
    DISSOLVED = "dissolved"  # a "not for me", or ended by the lead or a withdrawal


class ConstraintKind(enum.StrEnum):
    PIN = "pin"  # the lead wants this pair
    FORBID = "forbid"  # the lead excludes this pair
    VETO = "veto"  # a "not for me" after the chemistry meeting
    PREVIOUS = "previous"  # they were paired before


class PairEnd(enum.StrEnum):
    NOT_FOR_ME = "not_for_me"  # someone said "not for me" after the chemistry meeting
    LEAD = "lead"  # a lead ended it
    WITHDRAWAL = "withdrawal"  # one of the two left the programme
    NO_FAULT = "no_fault"  # one of the two asked for a new partner, no fault on either side


class MatchRunStatus(enum.StrEnum):
    PREVIEWING = "previewing"  # the lead is looking at it
    APPROVED = "approved"
    SUPERSEDED = "superseded"  # a newer run replaced it
    DISCARDED = "discarded"


class MatchRun(Base):
    """One run of the engine for a programme: the preview a lead approves or replaces."""

    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[MatchRunStatus] = mapped_column(
        _enum(MatchRunStatus), default=MatchRunStatus.PREVIEWING
    )
    mentor_count: Mapped[int] = mapped_column(Integer, default=0)
    mentee_count: Mapped[int] = mapped_column(Integer, default=0)
    # [{"user_id", "role", "reason"}]: the reasons are for the lead only.
    unmatched: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    preview_channel_id: Mapped[str | None] = mapped_column(String(32))
    preview_ts: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# Nobody is in two live pairs as a mentee, whatever two leads or replicas do at once.
_LIVE = "status IN ('proposed', 'introduced', 'confirmed')"


class Pair(Base):
    __tablename__ = "pair"
    __table_args__ = (
        CheckConstraint("mentor_id <> mentee_id", name="two_people"),
        Index(
            "uq_pair_live_mentee",
            "mentee_id",
            unique=True,
            sqlite_where=text(_LIVE),
            postgresql_where=text(_LIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    match_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("match_run.id", ondelete="SET NULL"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    status: Mapped[PairStatus] = mapped_column(_enum(PairStatus), default=PairStatus.PROPOSED)
    score: Mapped[float] = mapped_column(default=0.0)
    explanation: Mapped[str] = mapped_column(Text, default="")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    conversation_id: Mapped[str | None] = mapped_column(String(32))
    intro_ts: Mapped[str | None] = mapped_column(String(32))
    introduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when both confirm their first agreement: from then on the pair is active.
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_session_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[PairEnd | None] = mapped_column(_enum(PairEnd))
    # Momentum: the ladder counts days from the anchor (agreement, latest session, resume);
    # `ladder_step` is the last rung sent for it; the sweep looks again at `momentum_due_at`.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A pause one of the pair asked for ends by itself on this day (a lead's pause does not).
    paused_until: Mapped[date | None] = mapped_column(Date)
    momentum_anchor_on: Mapped[date | None] = mapped_column(Date)
    ladder_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    momentum_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    mentor: Mapped[Participant] = relationship(foreign_keys=[mentor_id], lazy="raise")
    mentee: Mapped[Participant] = relationship(foreign_keys=[mentee_id], lazy="raise")


class PairConstraint(Base):
    """A pin, exclusion, veto or past pairing the engine must respect."""

    __tablename__ = "pair_constraint"
    __table_args__ = (UniqueConstraint("programme_id", "mentor_id", "mentee_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    kind: Mapped[ConstraintKind] = mapped_column(_enum(ConstraintKind))
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RequestStatus(enum.StrEnum):
    OPEN = "open"  # waiting for the mentor's answer; holds one of the mentor's places
    ACCEPTED = "accepted"  # agreed: pinned in the lead's next matching run
    DECLINED = "declined"  # the mentor said no (the mentee is never told so)
    EXPIRED = "expired"  # the mentor did not answer in time
    WITHDRAWN = "withdrawn"  # choosing closed, or one of the two left, before an answer


# A mentee has one request at a time, waiting or agreed, whatever two clicks or replicas do.
_LIVE_REQUEST = "status IN ('open', 'accepted')"


class MentorRequest(Base):
    """A mentee asking a mentor from their suggestions to be their mentor; the mentor answers
    privately. An accepted request is a pair the lead's next matching run keeps (pinned)."""

    __tablename__ = "mentor_request"
    __table_args__ = (
        UniqueConstraint("mentee_id", "mentor_id"),
        CheckConstraint("mentor_id <> mentee_id", name="two_people"),
        Index(
            "uq_mentor_request_live_mentee",
            "mentee_id",
            unique=True,
            sqlite_where=text(_LIVE_REQUEST),
            postgresql_where=text(_LIVE_REQUEST),
        ),
        Index(
            "ix_mentor_request_waiting",
            "expires_at",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    mentee_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus), default=RequestStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MeetingStatus(enum.StrEnum):
    OPEN = "open"  # times proposed, waiting for the other person
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"  # other times were proposed instead
    CANCELLED = "cancelled"  # the pair ended first


class ChemistryMeeting(Base):
    """A proposal of up to three times for a pair's chemistry meeting, and the one accepted."""

    __tablename__ = "chemistry_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    proposed_by: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    options: Mapped[list[int]] = mapped_column(JSON)  # Unix seconds, UTC
    # Where or how to meet, written by the proposer (the other person's times are a new row).
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MeetingStatus] = mapped_column(_enum(MeetingStatus), default=MeetingStatus.OPEN)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Decision(enum.StrEnum):
    GO = "go"
    NOT_FOR_ME = "not_for_me"


class ChemistryDecision(Base):
    """One person's private answer after the chemistry meeting; the reason is for leads only."""

    __tablename__ = "chemistry_decision"
    __table_args__ = (UniqueConstraint("pair_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    decision: Mapped[Decision] = mapped_column(_enum(Decision))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScheduledKind(enum.StrEnum):
    REMINDER = "reminder"  # before the chemistry meeting, in the pair's conversation
    DECISION = "decision"  # after it, "go" or "not for me", privately to each
    NEXT_SESSION = "next_session"  # the day before a session the pair set, to each


class ScheduledMessage(Base):
    """A message Slack holds for later (chat.scheduleMessage), kept so it can be withdrawn
    when the meeting moves or the pair ends."""

    __tablename__ = "scheduled_message"
    __table_args__ = (
        UniqueConstraint("meeting_id", "kind", "channel_id"),
        UniqueConstraint("pair_id", "kind", "channel_id", "post_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("chemistry_meeting.id", ondelete="CASCADE"), index=True
    )
    pair_id: Mapped[int | None] = mapped_column(
        ForeignKey("pair.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ScheduledKind] = mapped_column(_enum(ScheduledKind))
    channel_id: Mapped[str] = mapped_column(String(32))
    slack_id: Mapped[str | None] = mapped_column(String(32))
    post_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CalendarKind(enum.StrEnum):
    CHEMISTRY = "chemistry"  # the agreed chemistry meeting
    SESSION = "session"  # a session booked from a check-in
    SERIES = "series"  # the agreement's cadence as one recurring event


class CalendarEvent(Base):
    """A meeting the pair holds in their own calendars through the .ics files shared in their
    conversation: one UID for its whole life (from its id), its SEQUENCE raised each time it
    moves, and cancelled at most once. A series repeats every `every_days` until `until`."""

    __tablename__ = "calendar_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CalendarKind] = mapped_column(_enum(CalendarKind))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    every_days: Mapped[int | None] = mapped_column(Integer)  # a series only
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a series' last instant
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgreementStatus(enum.StrEnum):
    PROPOSED = "proposed"  # waiting for the other person
    CONFIRMED = "confirmed"  # both agreed; the one in force
    SUPERSEDED = "superseded"  # replaced by a later version


class Scheduler(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    BOTH = "both"


class Agreement(Base):
    """One version of a pair's contract; every change is a new version, so history is kept."""

    __tablename__ = "agreement"
    __table_args__ = (
        UniqueConstraint("pair_id", "version"),
        CheckConstraint("sessions_planned > 0", name="sessions_positive"),
        CheckConstraint("cadence_days > 0", name="cadence_positive"),
        CheckConstraint("session_minutes > 0", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[AgreementStatus] = mapped_column(_enum(AgreementStatus))
    proposed_by: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    sessions_planned: Mapped[int] = mapped_column(Integer)
    cadence_days: Mapped[int] = mapped_column(Integer)
    session_minutes: Mapped[int] = mapped_column(Integer)
    medium: Mapped[Medium] = mapped_column(_enum(Medium))
    ends_on: Mapped[date] = mapped_column(Date)
    mentor_goals: Mapped[str] = mapped_column(Text, default="")
    mentee_goals: Mapped[str] = mapped_column(Text, default="")
    # Who wrote each side's goals: either person may edit both, and a side left as the form
    # showed it keeps its earlier author (a sign-up's goals are their owner's words).
    mentor_goals_by: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    mentee_goals_by: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    scheduler: Mapped[Scheduler] = mapped_column(_enum(Scheduler))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SessionLog(Base):
    """A session the pair held; one per pair and day, whoever logs it."""

    __tablename__ = "session_log"
    __table_args__ = (
        UniqueConstraint("pair_id", "held_on"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    medium: Mapped[Medium] = mapped_column(_enum(Medium))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)  # from the programme's list
    # GROW notes, shared with the pair only.
    goal: Mapped[str] = mapped_column(Text, default="")
    reality: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[str] = mapped_column(Text, default="")
    will: Mapped[str] = mapped_column(Text, default="")
    # Who wrote each note: the second of the pair to log the day may replace the first's.
    goal_by: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    reality_by: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    options_by: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    will_by: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    logged_by: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SessionTopic(Base):
    """A topic someone typed for a session ("other topics"), kept apart from the ones picked
    from the programme's list because it is their own words."""

    __tablename__ = "session_topic"
    __table_args__ = (UniqueConstraint("session_id", "added_by", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("session_log.id", ondelete="CASCADE"), index=True
    )
    added_by: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(60))


class SessionRating(Base):
    """How useful one person found a session (1-5): the metadata leads may see."""

    __tablename__ = "session_rating"
    __table_args__ = (
        UniqueConstraint("session_id", "participant_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("session_log.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)


class Taught(enum.StrEnum):
    """Who did most of the teaching in a session, as one of the pair saw it."""

    MENTOR = "mentor"  # as reverse mentoring means it: the junior mentor teaches
    MENTEE = "mentee"  # the executive taught: the pair drifts back to the hierarchy
    EVEN = "even"


class BalanceAnswer(Base):
    """One person's private answer on who did most of the teaching in a session. Read only to
    find pairs drifting back to the hierarchy; never shown to the partner or a lead."""

    __tablename__ = "balance_answer"
    __table_args__ = (UniqueConstraint("session_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("session_log.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    taught: Mapped[Taught] = mapped_column(_enum(Taught))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PrivateNote(Base):
    """A note only its author can ever read."""

    __tablename__ = "private_note"
    __table_args__ = (UniqueConstraint("session_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("session_log.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class ActionItem(Base):
    """Something one of the pair will do; visible to the pair only."""

    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_log.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    due_on: Mapped[date | None] = mapped_column(Date)
    for_organisation: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus), default=ActionStatus.OPEN)
    created_by: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its time (quiet hours, budget, pace, retry)
    SENDING = "sending"  # claimed by a sender until `due_at`; then claimable again
    SENT = "sent"
    FAILED = "failed"  # Slack refused it for good (user deactivated, channel archived...)
    CANCELLED = "cancelled"  # the pair ended, the person left, or the nudge became moot
    EXPIRED = "expired"  # not deliverable before it stopped making sense


# Rows a sender may claim: pending ones, and ones whose sender's lease ran out.
OUTBOX_CLAIMABLE = "status IN ('pending', 'sending')"


class Outbox(Base):
    """A message the scheduler decided to send, written with the state change that caused
    it and delivered later. The key makes a second sweep or replica a no-op."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_claimable",
            "due_at",
            sqlite_where=text(OUTBOX_CLAIMABLE),
            postgresql_where=text(OUTBOX_CLAIMABLE),
        ),
        Index("ix_outbox_recipient_sent", "recipient_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(_bytewise(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    # What the view needs to render the message (names, numbers, ids): never private notes.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    channel_id: Mapped[str] = mapped_column(String(32))  # a user id for a DM with the app
    # The person it is for: their quiet hours and weekly budget apply (None: not budgeted).
    recipient_id: Mapped[str | None] = mapped_column(_bytewise(32))
    recipient_tz: Mapped[str | None] = mapped_column(String(64))
    quiet_start: Mapped[int | None] = mapped_column(Integer)
    quiet_end: Mapped[int | None] = mapped_column(Integer)
    weekly_budget: Mapped[int | None] = mapped_column(Integer)
    # The pair and the participant a message is about. Not foreign keys: checking both for
    # every queued message was 40% of a sweep's insert, for ids the sweep had just read.
    # Deleting a pair or a participant still deletes its messages: triggers on those tables
    # do it (migration afc3dd8b7c87), as the keys' cascades did.
    pair_id: Mapped[int | None] = mapped_column(Integer, index=True)
    participant_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The slot this message holds for its next Web API call (slack_pace), while it waits for it.
    slot_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SurveyKind(enum.StrEnum):
    PULSE = "pulse"
    MIDPOINT = "midpoint"
    END = "end"


class Survey(Base):
    """One round of a survey for a programme: pulse number N, the mid-point or the end review."""

    __tablename__ = "survey"
    __table_args__ = (UniqueConstraint("programme_id", "kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SurveyKind] = mapped_column(_enum(SurveyKind))
    number: Mapped[int] = mapped_column(Integer, default=0)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SurveyInvite(Base):
    """Who was asked, so only they can answer, once, and only they get the one reminder.
    Leads never see these rows: answers are counted, never attributed."""

    __tablename__ = "survey_invite"
    __table_args__ = (UniqueConstraint("survey_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyResponse(Base):
    """An answer with no link to the person: a random id (no insertion order to line up
    with invites), the role for splitting aggregates, and no timestamp."""

    __tablename__ = "survey_response"
    __table_args__ = (CheckConstraint("would_recommend BETWEEN 0 AND 10", name="recommend_range"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    # Pulse: each 1-5.
    value: Mapped[int | None] = mapped_column(Integer)
    balance: Mapped[int | None] = mapped_column(Integer)
    openness: Mapped[int | None] = mapped_column(Integer)
    breadth: Mapped[int | None] = mapped_column(Integer)
    # Reviews.
    would_recommend: Mapped[int | None] = mapped_column(Integer)
    actions_implemented: Mapped[str | None] = mapped_column(String(20))
    continue_informally: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")


# --- Success stories ---------------------------------------------------------------------


class StoryStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for a lead
    APPROVED = "approved"  # a lead may publish it
    PUBLISHING = "publishing"  # one lead's post is on its way (a second click waits)
    PUBLISHED = "published"
    DECLINED = "declined"


class Story(Base):
    """A participant's success story, given with consent to share it; leads approve and
    publish it to a channel, with the author's name only if the author said so."""

    __tablename__ = "story"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(150))
    text: Mapped[str] = mapped_column(Text)
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[StoryStatus] = mapped_column(_enum(StoryStatus), default=StoryStatus.SUBMITTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))


# --- Audit log ---------------------------------------------------------------------------


class AuditEntry(Base):
    """A lead saw people's data: who, when, which view, which programme and whose data (ids
    only). Leads read it with `/mentoring-admin audit`."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL")
    )
    lead_id: Mapped[str] = mapped_column(String(32))
    view: Mapped[str] = mapped_column(String(40))
    participant_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- Concerns ----------------------------------------------------------------------------


class ConcernStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Concern(Base):
    """A participant's confidential concern: it and every reply stay between the participant
    and the programme's leads and neutral supporter."""

    __tablename__ = "concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ConcernStatus] = mapped_column(_enum(ConcernStatus), default=ConcernStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(32))


class ConcernMessage(Base):
    """The concern itself (the first message) and each reply, in order."""

    __tablename__ = "concern_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        ForeignKey("concern.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[str] = mapped_column(String(32))  # a Slack user id
    from_participant: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- Safe spaces -------------------------------------------------------------------------


class SafeSpace(Base):
    """A programme's private channel for one side: mentors or mentees."""

    __tablename__ = "safe_space"
    __table_args__ = (UniqueConstraint("programme_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[Role] = mapped_column(_enum(Role))
    channel_id: Mapped[str | None] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(String(100))  # why it has no channel yet
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The workspace its channel is in, for a programme of an Enterprise Grid org (a channel
    # lives in one of the org's workspaces, and the org's token must name it); None otherwise.
    workspace_id: Mapped[str | None] = mapped_column(String(32))


# --- Resource library --------------------------------------------------------------------


class Resource(Base):
    """A link or a short text the leads share with one side of the programme or both."""

    __tablename__ = "resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(150))
    url: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(20))  # mentors, mentees or both
    topic: Mapped[str] = mapped_column(String(60), default="")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Its place in the preparation track of its audience (mentors, mentees or both), which
    # reaches each participant's DM one lesson at a time; None: in the library only.
    lesson: Mapped[int | None] = mapped_column(Integer)


class ResourcePost(Base):
    """A resource queued for one side's channel: each resource goes to each side once."""

    __tablename__ = "resource_post"
    __table_args__ = (UniqueConstraint("resource_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[Role] = mapped_column(_enum(Role))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LessonProgress(Base):
    """A lesson of the preparation track sent to one participant, and when they marked it
    done: each lesson reaches each person once."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("participant_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- Kick-off and social moments --------------------------------------------------------


class SocialKind(enum.StrEnum):
    KICK_OFF = "kick_off"
    MIDPOINT = "midpoint"  # the mid-point get-together
    CLOSING = "closing"  # the closing celebration
    OTHER = "other"


class Audience(enum.StrEnum):
    """Who a lead invites: both sides of the programme, or one."""

    EVERYONE = "everyone"
    MENTORS = "mentors"
    MENTEES = "mentees"


class Rsvp(enum.StrEnum):
    GOING = "going"
    NOT_GOING = "not_going"


class SocialEvent(Base):
    """A kick-off or another get-together a lead announces to one side of the programme or
    both. Like a pair's meetings it keeps one calendar UID for its life (from its id): each
    change raises its SEQUENCE, and it is cancelled at most once."""

    __tablename__ = "social_event"
    __table_args__ = (CheckConstraint("minutes > 0", name="minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SocialKind] = mapped_column(_enum(SocialKind))
    title: Mapped[str] = mapped_column(String(150))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str | None] = mapped_column(String(500))
    audience: Mapped[Audience] = mapped_column(_enum(Audience))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SocialInvite(Base):
    """One person invited to one event, and their answer: only the invited may answer, and
    leads see the answers only as counts."""

    __tablename__ = "social_invite"
    __table_args__ = (UniqueConstraint("event_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("social_event.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[Rsvp | None] = mapped_column(_enum(Rsvp))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The day-before reminder went into the outbox for the event's current time (a move
    # clears it, so the new time is reminded of once too).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- Replays -----------------------------------------------------------------------------


class HandledRequest(Base):
    """A request from Slack the app has already acted on, by its natural key (an event's id, an
    interaction's trigger id): the same request again, Slack's retry or someone's replay of the
    signed bytes, finds its key here and changes nothing. Kept for a day, then swept away."""

    __tablename__ = "handled_request"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


# --- Slack's rate limits ------------------------------------------------------------------


class SlackPace(Base):
    """The slots given out for one Web API method in one workspace (or, for chat.postMessage,
    in one channel), shared by every replica: a sender takes the next free slot in the same
    transaction as every other sender, so together they stay within Slack's limit. Times are
    seconds since the epoch on the app's clock."""

    __tablename__ = "slack_pace"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    method: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)  # "": the whole method
    # The latest slots given, oldest first: as many as the limit allows in one window.
    slots: Mapped[list[float]] = mapped_column(JSON, default=list)
    last_at: Mapped[float] = mapped_column(Double, index=True)  # the latest slot given
    held_until: Mapped[float | None] = mapped_column(Double)  # a 429's Retry-After


class DirectChannel(Base):
    """The app's DM with a person, as Slack named it when a call returned it (a message posted
    to their user id, or conversations.open): later messages and files go straight there, and
    nothing opens it again."""

    __tablename__ = "direct_channel"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))


# --- The workspace's people, for retention -------------------------------------------------


class WorkspaceMember(Base):
    """A person of a workspace as Slack last showed them (users.list, or a `user_change`
    event): still active, or deactivated since when. Kept for everyone in the workspace, not
    only participants, so a programme's retention has the workspace's beside it. Ids and
    times only: no name, nothing anyone wrote."""

    __tablename__ = "workspace_member"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the tenant
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # A full member: not a bot, an app or a guest, who would skew the workspace's figure.
    counted: Mapped[bool] = mapped_column(Boolean)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: active
    # Slack's `updated` (epoch seconds) of the state recorded: an older one arriving later
    # (a delayed event after a newer list) changes nothing.
    slack_updated: Mapped[int | None] = mapped_column(BigInteger)


class MemberListing(Base):
    """A workspace's pass through users.list: where it is up to, when its next page is due,
    and which replica holds it (a lease that lapses if that replica dies)."""

    __tablename__ = "member_listing"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    cursor: Mapped[str | None] = mapped_column(String(500))  # None: the next page is a first
    pass_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first whole pass
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # latest whole pass


# --- Sweeps ------------------------------------------------------------------------------


class Sweep(enum.StrEnum):
    """A scheduler sweep whose items (programmes, pairs, ...) fail one at a time."""

    LIFECYCLE = "lifecycle"  # programmes moving to review or closing
    PURGE = "purge"  # closed programmes losing their free text
    PAUSE_END = "pause_end"  # pairs whose asked-for pause is over
    MOMENTUM = "momentum"  # pairs on the ladder
    REMINDERS = "reminders"  # pairs with a step left waiting
    SURVEYS = "surveys"  # programmes opening rounds and inviting
    SURVEY_REMINDERS = "survey_reminders"  # survey invites not answered
    RESOURCES = "resources"  # safe spaces getting a resource
    REQUESTS = "requests"  # mentees' requests to mentors left unanswered too long
    DIGESTS = "digests"  # running programmes whose sponsor's monthly digest is due
    PREPARATION = "preparation"  # programmes whose participants get their next lesson
    SOCIAL_REMINDERS = "social_reminders"  # people going to an event, the day before


class SweepFailure(Base):
    """An item a sweep failed on: the sweep leaves it alone until `retry_at`, backing off further
    each time it fails again, and forgets it once it succeeds. One row per sweep and item, as one
    programme is an item of several sweeps that fail and recover apart."""

    __tablename__ = "sweep_failure"

    sweep: Mapped[Sweep] = mapped_column(_enum(Sweep), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the row's id in its table
    failures: Mapped[int] = mapped_column(Integer)  # in a row, since it last succeeded
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retry_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Slack's installation store and OAuth state store (OAuth mode), as slack_sdk defines them, on
# our metadata: the migrations create them and the test that compares models and migrations
# covers them. slack_sdk's stores read and write them (bot/slack/installations.py).
INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"
slack_installations = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, INSTALLATIONS_TABLE
)
slack_bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
slack_oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, OAUTH_STATES_TABLE
)
