"""Every callback_id, action_id and block_id the app uses, in one place."""

from __future__ import annotations

import enum
import re


class Command(enum.StrEnum):
    PARTICIPANT = "/mentoring"
    ADMIN = "/mentoring-admin"


class Shortcut(enum.StrEnum):
    JOIN = "join_programme_shortcut"
    LOG_SESSION = "log_session_shortcut"


class View(enum.StrEnum):
    PROGRAMME_SETUP = "programme_setup"
    PROGRAMME_LEADS = "programme_leads"
    OPEN_ENROLMENT = "open_enrolment"
    SIGNUP = "signup"
    SIGNUP_PICK = "signup_pick"
    PAIR_CONSTRAINT = "pair_constraint"
    CHEMISTRY_TIMES = "chemistry_times"
    NOT_FOR_ME = "not_for_me"
    AGREEMENT = "agreement"
    CHECKIN = "checkin"
    SURVEY = "survey"
    STORY = "story"
    STORY_PUBLISH = "story_publish"
    CONCERN = "concern"
    CONCERN_REPLY = "concern_reply"
    SPACE_CHANNEL = "space_channel"
    RESOURCE = "resource"
    PAUSE_SELF = "pause_self"
    SOCIAL_EVENT = "social_event"


class Action(enum.StrEnum):
    JOIN = "join_programme"
    EDIT_SIGNUP = "edit_signup"
    LEAVE_CONFIRM = "leave_confirm"
    LEAVE_CANCEL = "leave_cancel"
    CLOSE_ENROLMENT = "close_enrolment"
    NEW_PROGRAMME = "new_programme"
    # Matching, for leads
    CHOOSE_TO_MATCH = "choose_to_match"
    APPROVE_MATCH = "approve_match"
    RERUN_MATCH = "rerun_match"
    DISCARD_MATCH = "discard_match"
    PREVIEW_PAIR = "preview_pair"  # the pin / forbid menu on a previewed pair
    ADD_CONSTRAINT = "add_constraint"
    END_PAIR = "end_pair"
    # Mentees choosing their mentor; mentors answering; the lead closing the choosing window
    SEE_SUGGESTIONS = "see_suggestions"
    REQUEST_MENTOR = "request_mentor"
    ACCEPT_REQUEST = "accept_request"
    DECLINE_REQUEST = "decline_request"
    CLOSE_CHOOSING = "close_choosing"
    # The pair's chemistry meeting
    REQUEST_CHEMISTRY = "request_chemistry"
    ACCEPT_TIME = "accept_time"
    OTHER_TIMES = "other_times"
    GO = "chemistry_go"
    NOT_FOR_ME = "chemistry_not_for_me"
    # The pair's agreement and sessions
    AGREEMENT_OPEN = "agreement_open"
    AGREEMENT_CONFIRM = "agreement_confirm"
    AGREEMENT_CHANGE = "agreement_change"
    CALENDAR_SERIES = "calendar_series"  # the agreement's cadence into the pair's calendars
    LOG_SESSION = "log_session"
    RATE_SESSION = "rate_session"
    BALANCE_ANSWER = "balance_answer"  # who did most of the teaching, asked after a session
    ACTION_DONE = "action_done"
    ACTION_DROP = "action_drop"
    MY_ACTIONS = "my_actions"
    # Momentum, for leads
    PAUSE_PAIR = "pause_pair"
    RESUME_PAIR = "resume_pair"
    REMATCH_PAIR = "rematch_pair"
    # Surveys
    SURVEY_OPEN = "survey_open"
    # Success stories and the programme's end, for leads
    STORY_APPROVE = "story_approve"
    STORY_DECLINE = "story_decline"
    STORY_PUBLISH = "story_publish"
    CLONE_PROGRAMME = "clone_programme"
    # The executive sponsor's digest
    ASK_LEADS = "sponsor_ask_leads"
    TAKE_OVER_PROGRAMME = "take_over_programme"
    # Concerns, between a participant and the programme's leads and supporter
    CONCERN_REPLY = "concern_reply"
    CONCERN_CLOSE = "concern_close"
    RAISE_CONCERN = "raise_concern"
    # A participant's support buttons on the App Home
    HOME_PAUSE = "home_pause"
    HOME_REMATCH = "home_rematch"
    HOME_LEAVE = "home_leave"
    # Safe spaces
    SPACE_PICK = "space_pick"
    SPACE_RETRY = "space_retry"
    SPACE_REJOIN = "space_rejoin"
    # The resource library, for leads
    RESOURCE_ADD = "resource_add"
    RESOURCE_EDIT = "resource_edit"
    RESOURCE_REMOVE = "resource_remove"
    # A participant's preparation track
    LESSON_DONE = "lesson_done"
    # A participant's no-fault re-match
    NO_FAULT_CONFIRM = "no_fault_confirm"
    NO_FAULT_CANCEL = "no_fault_cancel"
    # Erasing one's own data
    ERASE_CONFIRM = "erase_confirm"
    ERASE_CANCEL = "erase_cancel"
    # Kick-off and socials: a participant's answer; the lead's counts, change and cancel
    SOCIAL_GOING = "social_going"
    SOCIAL_NOT_GOING = "social_not_going"
    SOCIAL_COUNTS = "social_counts"
    SOCIAL_CHANGE = "social_change"
    SOCIAL_CANCEL = "social_cancel"


class Field(enum.StrEnum):
    """Block ids of modal inputs; each input's action_id is the same string."""

    NAME = "name"
    CO_LEADS = "co_leads"
    SPONSOR = "sponsor"
    DESCRIPTION = "description"
    OBJECTIVES = "objectives"
    TOPICS = "topics"
    SESSIONS = "sessions_planned"
    CADENCE = "cadence_days"
    LENGTH = "session_minutes"
    MEDIUM = "default_medium"
    RULES = "matching_rules"
    MAX_TZ_GAP = "max_tz_gap_hours"
    CAPACITY = "mentor_capacity"
    MATCHING_MODE = "matching_mode"
    ANSWER_DAYS = "answer_days"
    GRACE = "nudge_grace_days"
    PULSE = "pulse_every_weeks"
    QUIET_START = "quiet_hours_start"
    QUIET_END = "quiet_hours_end"
    BUDGET = "weekly_message_budget"
    GROUND_RULES = "ground_rules"
    DEADLINE = "enrolment_deadline"
    STARTS = "starts_on"
    MIDPOINT = "midpoint_on"
    ENDS = "ends_on"

    PROGRAMME = "programme"
    CHANNEL = "channel"

    ROLE = "role"
    DEPARTMENT = "department"
    GRADE = "grade_level"
    LINE_MANAGER = "line_manager"
    SKILLS = "skills"
    PERSONALITY = "personality"
    PREFERRED_MEDIUM = "preferred_medium"
    GOALS = "goals"
    CONSENT = "consent"

    MENTOR = "mentor"
    MENTEE = "mentee"
    CONSTRAINT = "constraint"
    TIME_1 = "time_1"
    TIME_2 = "time_2"
    TIME_3 = "time_3"
    SUGGESTED_TIMES = "suggested_times"
    NOTE = "note"
    REASON = "reason"

    AGREED_MEDIUM = "medium"
    MENTOR_GOALS = "mentor_goals"
    MENTEE_GOALS = "mentee_goals"
    SCHEDULER = "scheduler"
    HELD_ON = "held_on"
    MINUTES = "minutes"
    OTHER_TOPICS = "other_topics"
    USEFULNESS = "usefulness"
    GOAL = "goal"
    REALITY = "reality"
    OPTIONS = "options"
    WILL = "will"
    PRIVATE_NOTE = "private_note"
    NEXT_SESSION = "next_session"
    SUGGESTED_SESSION = "suggested_session"
    PAIR = "pair"

    VALUE = "value"
    BALANCE = "balance"
    OPENNESS = "openness"
    BREADTH = "breadth"
    COMMENT = "comment"
    RECOMMEND = "would_recommend"

    STORY_TITLE = "story_title"
    STORY_TEXT = "story_text"
    CONCERN_TEXT = "concern_text"
    RESOURCE_TITLE = "resource_title"
    RESOURCE_URL = "resource_url"
    RESOURCE_BODY = "resource_body"
    RESOURCE_AUDIENCE = "resource_audience"
    RESOURCE_TOPIC = "resource_topic"
    RESOURCE_LESSON = "resource_lesson"
    PREPARATION = "preparation"
    LESSON_DAYS = "lesson_every_days"
    WEEKS = "weeks"
    SPACES = "safe_spaces"
    RESOURCE_DAYS = "resource_every_days"
    PURGE_DAYS = "purge_after_days"
    ACTIONS_DONE = "actions_implemented"
    CONTINUE = "continue_informally"

    SOCIAL_KIND = "social_kind"
    SOCIAL_TITLE = "social_title"
    SOCIAL_WHEN = "social_when"
    SOCIAL_LENGTH = "social_minutes"
    SOCIAL_PLACE = "social_place"
    SOCIAL_LINK = "social_link"
    SOCIAL_AUDIENCE = "social_audience"


BASELINE_PREFIX = "baseline_"
RERATE_PREFIX = "rerate_"


def keyed(action: Action, key: object) -> str:
    """A distinct action_id per button when several of a kind share a block, as Slack requires."""
    return f"{action.value}:{key}"


def matching(action: Action) -> re.Pattern[str]:
    """Matches the action and every keyed variant of it."""
    return re.compile(rf"^{re.escape(action.value)}(:.*)?$")
