"""What becomes of every text column (String, Text or JSON) of every table when a participant
erases their data (`data_rights.erase`) and when a closed programme's free text is purged
(`purge.purge`). Both read this one list rather than keeping their own, and a test fails for a
column missing from it, so a new column is classified when it is added. Enum columns are not
listed: their values are a fixed set, never anyone's words. Plain values; no Slack."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Enum, MetaData, String, cast, literal, select
from sqlalchemy.orm import InstrumentedAttribute

from bot.models import (
    BOTS_TABLE,
    INSTALLATIONS_TABLE,
    OAUTH_STATES_TABLE,
    ActionItem,
    Agreement,
    AuditEntry,
    ChemistryDecision,
    ChemistryMeeting,
    Concern,
    ConcernMessage,
    DirectChannel,
    HandledRequest,
    MatchRun,
    MemberListing,
    Objective,
    Outbox,
    Pair,
    PairConstraint,
    Participant,
    PrivateNote,
    Programme,
    ProgrammeLead,
    Resource,
    SafeSpace,
    ScheduledMessage,
    SessionLog,
    SessionTopic,
    SlackPace,
    SocialEvent,
    Story,
    SurveyResponse,
    Workspace,
    WorkspaceMember,
)


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


DROP: Any = _Drop()  # the row is nothing but these words: it goes, rather than being blanked

ERASED_NAME = "Erased participant"


@dataclass(frozen=True)
class TextColumn:
    column: InstrumentedAttribute[Any]
    # SQL naming the participant (participant.id) whose words or details these are; None when
    # erasure cannot tell (then `why` says so).
    owner: Any = None
    blank: Any = ""  # what erasure and the purge leave in its place
    purged: bool = True
    why: str = ""  # why erasure or the purge leaves it as it is

    @property
    def model(self) -> type:
        model = self.column.class_
        if not isinstance(model, type):  # an alias's column: no table to erase in
            raise TypeError(f"{self.column} is not a model's own column")
        return model

    @property
    def key(self) -> str:
        return self.column.key

    @property
    def name(self) -> str:
        return f"{self.column.class_.__tablename__}.{self.column.key}"

    @property
    def erased(self) -> bool:
        return self.owner is not None


def theirs(column: Any, *, by: Any, blank: Any = "") -> TextColumn:
    """Words one participant typed: erased with them, purged after closing."""
    return TextColumn(column, by, blank)


def about(column: Any, *, by: Any, blank: Any, why: str) -> TextColumn:
    """Who a participant is (not what they said): erased with them, kept after closing."""
    return TextColumn(column, by, blank, purged=False, why=why)


def kept(why: str, *columns: Any) -> Iterator[TextColumn]:
    """Not anyone's words: erasure and the purge leave it."""
    return (TextColumn(c, purged=False, why=why) for c in columns)


SLACK_ID = "a Slack id (team, user, channel or message) or the app's own key: not free text"
FIXED = "one of a fixed set of values: not free text"
BY_THE_APP = "written by the app (the engine's reasons, Slack's error names): not free text"
LEADS_WORDS = (
    "the programme's settings and library, written by its leads for everyone in it, and "
    "cloned into the next cohort: not a participant's words"
)
FROM_SLACK = "Slack's own profile data, not something the person typed"
PICKED = "picked from the programme's list of topics, not typed: the leads' words"
# A participant's concern thread is theirs, the helpers' replies included.
_CONCERN_OWNER = (
    select(Concern.participant_id).where(Concern.id == ConcernMessage.concern_id).scalar_subquery()
)

COLUMNS: tuple[TextColumn, ...] = (
    # What participants type.
    theirs(Participant.department, by=Participant.id),
    theirs(Participant.skills, by=Participant.id),
    theirs(Participant.goals, by=Participant.id),
    theirs(ChemistryMeeting.note, by=ChemistryMeeting.proposed_by),
    theirs(ChemistryDecision.reason, by=ChemistryDecision.participant_id),
    theirs(Agreement.mentor_goals, by=Agreement.mentor_goals_by),
    theirs(Agreement.mentee_goals, by=Agreement.mentee_goals_by),
    theirs(SessionLog.goal, by=SessionLog.goal_by),
    theirs(SessionLog.reality, by=SessionLog.reality_by),
    theirs(SessionLog.options, by=SessionLog.options_by),
    theirs(SessionLog.will, by=SessionLog.will_by),
    theirs(SessionTopic.topic, by=SessionTopic.added_by, blank=DROP),
    theirs(PrivateNote.text, by=PrivateNote.author_id, blank=DROP),
    theirs(ActionItem.text, by=ActionItem.created_by),
    theirs(Story.title, by=Story.participant_id),
    theirs(Story.text, by=Story.participant_id),
    theirs(ConcernMessage.text, by=_CONCERN_OWNER),
    TextColumn(
        SurveyResponse.comment,
        why="stored with no link to the person who wrote it, so erasure cannot find it; "
        "purged after closing",
    ),
    # Who a participant is.
    about(
        Participant.user_id,
        by=Participant.id,
        blank=literal("erased-") + cast(Participant.id, String),
        why="the person's Slack id, replaced when they erase their data",
    ),
    about(Participant.display_name, by=Participant.id, blank=ERASED_NAME, why=FROM_SLACK),
    about(Participant.tz, by=Participant.id, blank=None, why=FROM_SLACK),
    about(
        Participant.line_manager_id,
        by=Participant.id,
        blank=None,
        why="a Slack user picked from a list, not typed",
    ),
    about(Participant.topics, by=Participant.id, blank=[], why=PICKED),
    *kept(PICKED, SessionLog.topics),
    *kept(
        LEADS_WORDS,
        Programme.name,
        Programme.description,
        Programme.topics,
        Programme.ground_rules,
        Objective.title,
        Objective.measure,
        Resource.title,
        Resource.url,
        Resource.body,
        Resource.topic,
        SafeSpace.name,
    ),
    *kept(
        "a social's title, place and link, written by its leads for the people they invite: "
        "not a participant's words",
        SocialEvent.title,
        SocialEvent.place,
        SocialEvent.link,
    ),
    *kept(
        "the programme's matching weights and the options' times: numbers, not free text",
        Programme.matching_weights,
        ChemistryMeeting.options,
    ),
    *kept(
        "what a queued message shows: names from Slack, figures and the programme's own "
        "texts, never a participant's words; messages to the person go with erasure",
        Outbox.params,
    ),
    *kept(
        BY_THE_APP, MatchRun.unmatched, Pair.explanation, SafeSpace.last_error, Outbox.last_error
    ),
    *kept(
        FIXED,
        AuditEntry.view,
        Resource.audience,
        Outbox.kind,
        SurveyResponse.actions_implemented,
        SurveyResponse.continue_informally,
    ),
    *kept(
        "ids of the participants a lead was shown: the audit log keeps them",
        AuditEntry.participant_ids,
    ),
    *kept(FROM_SLACK, Workspace.name, Outbox.recipient_tz),
    *kept(
        "a handled request's event or trigger id, no one's words; gone after a day",
        HandledRequest.key,
    ),
    *kept(
        "Slack's pace: a workspace, a Web API method, a channel id and times, no one's words",
        SlackPace.team_id,
        SlackPace.method,
        SlackPace.channel,
        SlackPace.slots,
    ),
    *kept(
        "who is in a workspace, as Slack lists them: ids and times, no one's words",
        WorkspaceMember.team_id,
        WorkspaceMember.user_id,
    ),
    *kept(
        "a workspace's place in Slack's users.list and the replica paging it: no one's words",
        MemberListing.team_id,
        MemberListing.cursor,
        MemberListing.lease,
    ),
    *kept(
        "Slack's id of the app's DM with a person, learnt from Slack, no one's words",
        DirectChannel.team_id,
        DirectChannel.user_id,
        DirectChannel.channel_id,
    ),
    *kept(
        SLACK_ID,
        Workspace.team_id,
        Workspace.bot_user_id,
        Workspace.enterprise_id,
        Programme.team_id,
        Programme.announcement_channel_id,
        Programme.announcement_ts,
        Programme.created_by,
        Programme.sponsor_id,
        ProgrammeLead.user_id,
        AuditEntry.team_id,
        AuditEntry.lead_id,
        MatchRun.preview_channel_id,
        MatchRun.preview_ts,
        MatchRun.created_by,
        Pair.conversation_id,
        Pair.intro_ts,
        PairConstraint.created_by,
        ChemistryMeeting.message_ts,
        Agreement.message_ts,
        ScheduledMessage.channel_id,
        ScheduledMessage.slack_id,
        Resource.created_by,
        SocialEvent.created_by,
        SafeSpace.channel_id,
        SafeSpace.workspace_id,
        Concern.closed_by,
        ConcernMessage.author_id,
        Story.decided_by,
        Story.channel_id,
        Story.message_ts,
        SurveyResponse.id,
        Outbox.team_id,
        Outbox.key,
        Outbox.channel_id,
        Outbox.recipient_id,
        Outbox.slack_ts,
    ),
)


def erased_on_deletion() -> list[TextColumn]:
    return [c for c in COLUMNS if c.erased]


def purged_after_closing() -> list[TextColumn]:
    return [c for c in COLUMNS if c.purged]


# Slack's installation and OAuth state records (slack_sdk's tables): ids, names Slack gave and
# tokens, never a participant's words; a workspace's rows go when it uninstalls the app.
SLACKS_OWN_TABLES = frozenset({INSTALLATIONS_TABLE, BOTS_TABLE, OAUTH_STATES_TABLE})


def text_column_names(metadata: MetaData) -> set[str]:
    """Every String, Text or JSON column but enums, as `table.column`, outside Slack's tables."""
    return {
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        if table.name not in SLACKS_OWN_TABLES
        for column in table.columns
        if isinstance(column.type, String | JSON) and not isinstance(column.type, Enum)
    }


def unclassified(metadata: MetaData, columns: Sequence[TextColumn] = COLUMNS) -> list[str]:
    """Text columns with no fate here, fates for columns that are gone or given twice, and
    fates that keep something without saying why."""
    names = [c.name for c in columns]
    text = text_column_names(metadata)
    problems = sorted(text - set(names))
    problems += [f"{n}: no such column" for n in sorted(set(names) - text)]
    problems += [f"{n}: listed twice" for n in sorted({n for n in names if names.count(n) > 1})]
    problems += [
        f"{c.name}: kept without a reason"
        for c in columns
        if not c.why and not (c.erased and c.purged)
    ]
    return problems
