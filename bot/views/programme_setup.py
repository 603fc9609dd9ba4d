"""The programme set-up modal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from bot.ids import Field, View
from bot.models import MatchingMode, Medium, PreparationRule
from bot.services.leads import MAX_LEADS
from bot.services.programme_rules import DEFAULT_TOPICS, ProgrammeInput
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.forms import MEDIUM_OPTIONS
from bot.views.mrkdwn import mrkdwn

RULE_OPTIONS = [
    blocks.option("Mentor is more junior than mentee", "mentor_more_junior"),
    blocks.option("Never inside one reporting line", "outside_reporting_line"),
    blocks.option("Only across departments", "cross_department"),
]

MODE_OPTIONS = [
    blocks.option(
        "The lead matches", MatchingMode.LEAD.value, "You run matching, preview and approve."
    ),
    blocks.option(
        "Mentees choose",
        MatchingMode.CHOOSE.value,
        "Each mentee asks a suggested mentor; you match whoever is left.",
    ),
    blocks.option(
        "Both",
        MatchingMode.BOTH.value,
        "Mentees may choose until you run matching for everyone else.",
    ),
]

PREPARATION_OPTIONS = [
    blocks.option(
        "Recommended",
        PreparationRule.RECOMMEND.value,
        "Pairs may meet at any time; the chemistry form recommends finishing first.",
    ),
    blocks.option(
        "Both finish first",
        PreparationRule.WAIT.value,
        "The chemistry meeting waits until both have finished their track.",
    ),
]

DEFAULT_GROUND_RULES = (
    "What we discuss stays between us. We both speak freely: the mentor leads, "
    "the mentee listens first. We keep our sessions, or move them in good time."
)


def co_leads_input(initial: tuple[str, ...] = ()) -> Block:
    element: Block = {"type": "multi_users_select", "max_selected_items": MAX_LEADS - 1}
    if initial:
        element["initial_users"] = list(initial)
    return blocks.input_block(
        Field.CO_LEADS,
        "Co-leads",
        element,
        optional=True,
        hint="They run this programme with you: matching, pairs, the report, everything. "
        "You are a lead already.",
    )


def sponsor_input(initial: str | None = None) -> Block:
    # A multi-select of one, because a single users_select cannot be emptied again in Slack.
    element: Block = {"type": "multi_users_select", "max_selected_items": 1}
    if initial:
        element["initial_users"] = [initial]
    return blocks.input_block(
        Field.SPONSOR,
        "Executive sponsor",
        element,
        optional=True,
        hint="Once a month while the programme runs, and when it closes, they get its figures: "
        "sign-ups, match and chemistry rates, sessions, objectives, would-recommend. Counts "
        "and averages only, never names; no lead's powers.",
    )


class _Number(NamedTuple):
    """A whole-number field of the set-up form and the programme setting it shows."""

    label: str
    setting: Callable[[ProgrammeInput], int | None]
    low: int
    high: int
    optional: bool = False
    hint: str | None = None


NUMBERS = {
    Field.SESSIONS: _Number("Number of sessions", lambda p: p.sessions_planned, 1, 52),
    Field.CADENCE: _Number("Days between sessions", lambda p: p.cadence_days, 1, 90),
    Field.LENGTH: _Number("Session length (minutes)", lambda p: p.session_minutes, 15, 480),
    Field.MAX_TZ_GAP: _Number(
        "Largest time-zone gap in a pair (hours)",
        lambda p: p.max_tz_gap_hours,
        0,
        24,
        optional=True,
        hint="Leave empty for no limit.",
    ),
    Field.CAPACITY: _Number("Mentees per mentor", lambda p: p.mentor_capacity, 1, 5),
    Field.ANSWER_DAYS: _Number(
        "Days a mentor has to answer a mentee's request",
        lambda p: p.answer_days,
        1,
        14,
        hint="When mentees choose: an unanswered request lapses and the mentee sees other "
        "suggestions.",
    ),
    Field.GRACE: _Number("Grace days before a nudge", lambda p: p.nudge_grace_days, 0, 60),
    Field.PULSE: _Number("Weeks between pulse surveys", lambda p: p.pulse_every_weeks, 1, 26),
    Field.QUIET_START: _Number(
        "Quiet hours start (hour, participant's time)", lambda p: p.quiet_hours_start, 0, 23
    ),
    Field.QUIET_END: _Number(
        "Quiet hours end (hour, participant's time)", lambda p: p.quiet_hours_end, 0, 23
    ),
    Field.BUDGET: _Number(
        "Most bot messages per person per week", lambda p: p.weekly_message_budget, 1, 20
    ),
    Field.RESOURCE_DAYS: _Number(
        "Days between resources posted to each channel", lambda p: p.resource_every_days, 1, 60
    ),
    Field.LESSON_DAYS: _Number(
        "Days between preparation lessons",
        lambda p: p.lesson_every_days,
        1,
        14,
        hint="Each participant's first lesson comes at sign-up, the rest this many days apart.",
    ),
    Field.PURGE_DAYS: _Number(
        "Days to keep notes and comments after the programme closes",
        lambda p: p.purge_after_days,
        7,
        730,
    ),
}


def _numbers(programme: ProgrammeInput, *fields: Field) -> list[Block]:
    shown: list[Block] = []
    for field in fields:
        number = NUMBERS[field]
        element = blocks.number_input(
            initial=number.setting(programme), low=number.low, high=number.high
        )
        shown.append(
            blocks.input_block(
                field, number.label, element, optional=number.optional, hint=number.hint
            )
        )
    return shown


def _blank_programme(today: date) -> ProgrammeInput:
    """What the form offers for a new programme."""
    starts = today + timedelta(days=28)
    return ProgrammeInput(
        name="",
        description="",
        objectives=[],
        topics=list(DEFAULT_TOPICS),
        sessions_planned=6,
        cadence_days=21,
        session_minutes=60,
        default_medium=Medium.VIDEO,
        rule_mentor_more_junior=True,
        rule_outside_reporting_line=True,
        rule_cross_department=False,
        max_tz_gap_hours=None,
        mentor_capacity=1,
        nudge_grace_days=7,
        pulse_every_weeks=4,
        quiet_hours_start=19,
        quiet_hours_end=8,
        weekly_message_budget=3,
        ground_rules=DEFAULT_GROUND_RULES,
        enrolment_deadline=today + timedelta(days=14),
        starts_on=starts,
        midpoint_on=starts + timedelta(days=90),
        ends_on=starts + timedelta(days=180),
    )


def setup_modal(
    *,
    today: date,
    base: ProgrammeInput | None = None,
    cloned_from: int = 0,
    co_leads: tuple[str, ...] = (),
) -> Block:
    """The set-up form: empty with sensible defaults, or prefilled from `base` (the next
    cohort of programme `cloned_from`, whose other leads are `co_leads`)."""
    programme = base or _blank_programme(today)
    body = [
        *_about(programme, co_leads),
        *_contract(programme),
        *_matching(programme),
        blocks.header("Nudges and surveys"),
        *_numbers(
            programme, Field.GRACE, Field.PULSE, Field.QUIET_START, Field.QUIET_END, Field.BUDGET
        ),
        *_spaces(programme),
        *_preparation(programme),
        *_ground_rules_and_dates(programme),
        blocks.context(
            "The programme starts as a draft. Open enrolment with `/mentoring-admin open`."
        ),
    ]
    if cloned_from:
        body.insert(
            0,
            blocks.context(
                "The next cohort, with the settings, objectives and leads of the last one. "
                "Change what you learned; nobody is told until you open enrolment."
            ),
        )
    return blocks.modal(
        View.PROGRAMME_SETUP,
        "Next cohort" if cloned_from else "New programme",
        body,
        submit="Create",
        private_metadata=f"clone:{cloned_from}" if cloned_from else "",
    )


def _about(programme: ProgrammeInput, co_leads: tuple[str, ...]) -> list[Block]:
    objectives = "\n".join(f"{o.title} | {o.measure}" for o in programme.objectives)
    return [
        blocks.header("The programme"),
        blocks.input_block(
            Field.NAME, "Name", blocks.text_input(max_length=80, initial=programme.name)
        ),
        blocks.input_block(
            Field.DESCRIPTION,
            "Description",
            blocks.text_input(multiline=True, max_length=3000, initial=programme.description),
            optional=True,
        ),
        co_leads_input(co_leads),
        sponsor_input(programme.sponsor_id),
        blocks.input_block(
            Field.OBJECTIVES,
            "Objectives, one per line, each with its measure",
            blocks.text_input(
                multiline=True,
                max_length=1500,
                initial=objectives,
                placeholder="Mentees' confidence with social media | self-rating 1-5",
            ),
            hint="Write 'objective | measure'. Participants rate themselves on each at sign-up.",
        ),
        blocks.input_block(
            Field.TOPICS,
            "Topics, separated by commas",
            blocks.text_input(multiline=True, initial=", ".join(programme.topics), max_length=1500),
        ),
    ]


def _contract(programme: ProgrammeInput) -> list[Block]:
    medium = blocks.static_select(MEDIUM_OPTIONS, initial=programme.default_medium.value)
    return [
        blocks.header("Contract defaults"),
        *_numbers(programme, Field.SESSIONS, Field.CADENCE, Field.LENGTH),
        blocks.input_block(Field.MEDIUM, "Usual medium", medium),
    ]


def _matching(programme: ProgrammeInput) -> list[Block]:
    chosen = {
        "mentor_more_junior": programme.rule_mentor_more_junior,
        "outside_reporting_line": programme.rule_outside_reporting_line,
        "cross_department": programme.rule_cross_department,
    }
    rules = blocks.checkboxes(RULE_OPTIONS, chosen=[o for o in RULE_OPTIONS if chosen[o["value"]]])
    mode = blocks.radio_buttons(MODE_OPTIONS, initial=programme.matching_mode.value)
    return [
        blocks.header("Matching"),
        blocks.input_block(Field.RULES, "Rules", rules, optional=True),
        *_numbers(programme, Field.MAX_TZ_GAP, Field.CAPACITY),
        blocks.input_block(Field.MATCHING_MODE, "Who decides the pairs", mode),
        *_numbers(programme, Field.ANSWER_DAYS),
    ]


def _spaces(programme: ProgrammeInput) -> list[Block]:
    leads_option = blocks.option("Leads are members too", "leads_in_spaces")
    spaces = blocks.checkboxes(
        [leads_option], chosen=[leads_option] if programme.leads_in_spaces else []
    )
    return [
        blocks.header("Safe spaces and privacy"),
        blocks.input_block(
            Field.SPACES,
            "Safe-space channels",
            spaces,
            optional=True,
            hint="Each side gets a private channel. Leads stay out unless you tick this.",
        ),
        *_numbers(programme, Field.RESOURCE_DAYS, Field.PURGE_DAYS),
    ]


def _preparation(programme: ProgrammeInput) -> list[Block]:
    rule = blocks.radio_buttons(PREPARATION_OPTIONS, initial=programme.preparation.value)
    return [
        blocks.header("Preparation tracks"),
        blocks.input_block(
            Field.PREPARATION,
            "Before the chemistry meeting",
            rule,
            hint="Each side's lessons are in the resource library: /mentoring-admin resources.",
        ),
        *_numbers(programme, Field.LESSON_DAYS),
    ]


def _ground_rules_and_dates(programme: ProgrammeInput) -> list[Block]:
    return [
        blocks.header("Ground rules and dates"),
        blocks.input_block(
            Field.GROUND_RULES,
            "Ground rules everyone accepts",
            blocks.text_input(multiline=True, initial=programme.ground_rules, max_length=3000),
        ),
        blocks.input_block(
            Field.DEADLINE, "Enrolment deadline", blocks.date_picker(programme.enrolment_deadline)
        ),
        blocks.input_block(Field.STARTS, "Kick-off", blocks.date_picker(programme.starts_on)),
        blocks.input_block(
            Field.MIDPOINT, "Mid-point review", blocks.date_picker(programme.midpoint_on)
        ),
        blocks.input_block(Field.ENDS, "End", blocks.date_picker(programme.ends_on)),
    ]


def leads_modal(
    programme_id: int, name: str, co_leads: tuple[str, ...], sponsor_id: str | None = None
) -> Block:
    """The set-up form's co-leads and sponsor, for a programme that already runs."""
    return blocks.modal(
        View.PROGRAMME_LEADS,
        "Leads and sponsor",
        [
            blocks.section(mrkdwn("Who runs “{name}” with you?", name=name)),
            co_leads_input(co_leads),
            sponsor_input(sponsor_id),
        ],
        submit="Save",
        private_metadata=str(programme_id),
    )
