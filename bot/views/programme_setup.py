"""The programme set-up modal."""

from __future__ import annotations

from datetime import date, timedelta

from bot.ids import Field, View
from bot.models import Medium
from bot.services.programme_rules import DEFAULT_TOPICS
from bot.views.blocks import (
    Block,
    context,
    header,
    input_block,
    modal,
    number_input,
    option,
    plain,
    static_select,
    text_input,
)

MEDIUM_LABELS = {
    Medium.IN_PERSON: "In person",
    Medium.VIDEO: "Video call",
    Medium.SITE_VISIT: "Site visit",
    Medium.ANY: "No preference",
}

RULE_OPTIONS = [
    option("Mentor is more junior than mentee", "mentor_more_junior"),
    option("Never inside one reporting line", "outside_reporting_line"),
    option("Only across departments", "cross_department"),
]

DEFAULT_GROUND_RULES = (
    "What we discuss stays between us. We both speak freely: the mentor leads, "
    "the mentee listens first. We keep our sessions, or move them in good time."
)


def _date_picker(initial: date) -> Block:
    return {"type": "datepicker", "initial_date": initial.isoformat()}


def setup_modal(*, today: date) -> Block:
    starts = today + timedelta(days=28)
    ends = starts + timedelta(days=180)
    blocks: list[Block] = [
        header("The programme"),
        input_block(Field.NAME, "Name", text_input(max_length=80)),
        input_block(
            Field.DESCRIPTION,
            "Description",
            text_input(multiline=True, max_length=3000),
            optional=True,
        ),
        input_block(
            Field.OBJECTIVES,
            "Objectives, one per line, each with its measure",
            text_input(
                multiline=True,
                max_length=1500,
                placeholder="Mentees' confidence with social media | self-rating 1-5",
            ),
            hint="Write 'objective | measure'. Participants rate themselves on each at sign-up.",
        ),
        input_block(
            Field.TOPICS,
            "Topics, separated by commas",
            text_input(multiline=True, initial=", ".join(DEFAULT_TOPICS), max_length=1500),
        ),
        header("Contract defaults"),
        input_block(Field.SESSIONS, "Number of sessions", number_input(initial=6, low=1, high=52)),
        input_block(
            Field.CADENCE, "Days between sessions", number_input(initial=21, low=1, high=90)
        ),
        input_block(
            Field.LENGTH, "Session length (minutes)", number_input(initial=60, low=15, high=480)
        ),
        input_block(
            Field.MEDIUM,
            "Usual medium",
            static_select(
                [option(label, medium.value) for medium, label in MEDIUM_LABELS.items()],
                initial=Medium.VIDEO.value,
            ),
        ),
        header("Matching"),
        input_block(
            Field.RULES,
            "Rules",
            {"type": "checkboxes", "options": RULE_OPTIONS, "initial_options": RULE_OPTIONS[:2]},
            optional=True,
        ),
        input_block(
            Field.MAX_TZ_GAP,
            "Largest time-zone gap in a pair (hours)",
            number_input(initial=None, low=0, high=24),
            optional=True,
            hint="Leave empty for no limit.",
        ),
        input_block(Field.CAPACITY, "Mentees per mentor", number_input(initial=1, low=1, high=5)),
        header("Nudges and surveys"),
        input_block(
            Field.GRACE,
            "Grace days before a nudge",
            number_input(initial=7, low=0, high=60),
        ),
        input_block(
            Field.PULSE, "Weeks between pulse surveys", number_input(initial=4, low=1, high=26)
        ),
        input_block(
            Field.QUIET_START,
            "Quiet hours start (hour, participant's time)",
            number_input(initial=19, low=0, high=23),
        ),
        input_block(
            Field.QUIET_END,
            "Quiet hours end (hour, participant's time)",
            number_input(initial=8, low=0, high=23),
        ),
        input_block(
            Field.BUDGET,
            "Most bot messages per person per week",
            number_input(initial=3, low=1, high=20),
        ),
        header("Ground rules and dates"),
        input_block(
            Field.GROUND_RULES,
            "Ground rules everyone accepts",
            text_input(multiline=True, initial=DEFAULT_GROUND_RULES, max_length=3000),
        ),
        input_block(Field.DEADLINE, "Enrolment deadline", _date_picker(today + timedelta(days=14))),
        input_block(Field.STARTS, "Kick-off", _date_picker(starts)),
        input_block(Field.MIDPOINT, "Mid-point review", _date_picker(starts + timedelta(days=90))),
        input_block(Field.ENDS, "End", _date_picker(ends)),
        context("The programme starts as a draft. Open enrolment with `/mentoring-admin open`."),
    ]
    view = modal(View.PROGRAMME_SETUP, "New programme", blocks, submit="Create")
    view["close"] = plain("Cancel")
    return view
