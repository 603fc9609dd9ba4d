"""The programme set-up modal."""

from __future__ import annotations

from datetime import date, timedelta

from bot.ids import Field, View
from bot.models import Medium
from bot.services.leads import MAX_LEADS
from bot.services.programme_rules import DEFAULT_TOPICS, ProgrammeInput
from bot.views.blocks import (
    Block,
    checkboxes,
    context,
    date_picker,
    header,
    input_block,
    modal,
    number_input,
    option,
    plain,
    section,
    static_select,
    text_input,
)
from bot.views.forms import MEDIUM_OPTIONS
from bot.views.mrkdwn import mrkdwn

RULE_OPTIONS = [
    option("Mentor is more junior than mentee", "mentor_more_junior"),
    option("Never inside one reporting line", "outside_reporting_line"),
    option("Only across departments", "cross_department"),
]

DEFAULT_GROUND_RULES = (
    "What we discuss stays between us. We both speak freely: the mentor leads, "
    "the mentee listens first. We keep our sessions, or move them in good time."
)


def co_leads_input(initial: tuple[str, ...] = ()) -> Block:
    element: Block = {"type": "multi_users_select", "max_selected_items": MAX_LEADS - 1}
    if initial:
        element["initial_users"] = list(initial)
    return input_block(
        Field.CO_LEADS,
        "Co-leads",
        element,
        optional=True,
        hint="They run this programme with you: matching, pairs, the report, everything. "
        "You are a lead already.",
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
    starts = today + timedelta(days=28)
    ends = starts + timedelta(days=180)
    b = base
    rules = RULE_OPTIONS[:2]
    if b is not None:
        chosen = {
            "mentor_more_junior": b.rule_mentor_more_junior,
            "outside_reporting_line": b.rule_outside_reporting_line,
            "cross_department": b.rule_cross_department,
        }
        rules = [o for o in RULE_OPTIONS if chosen[o["value"]]]
    rule_element = checkboxes(RULE_OPTIONS, chosen=rules)
    objectives = "\n".join(f"{o.title} | {o.measure}" for o in b.objectives) if b else None
    leads_option = option("Leads are members too", "leads_in_spaces")
    spaces_element = checkboxes(
        [leads_option], chosen=[leads_option] if b is not None and b.leads_in_spaces else []
    )
    blocks: list[Block] = [
        header("The programme"),
        input_block(Field.NAME, "Name", text_input(max_length=80, initial=b.name if b else None)),
        input_block(
            Field.DESCRIPTION,
            "Description",
            text_input(multiline=True, max_length=3000, initial=b.description if b else None),
            optional=True,
        ),
        co_leads_input(co_leads),
        input_block(
            Field.OBJECTIVES,
            "Objectives, one per line, each with its measure",
            text_input(
                multiline=True,
                max_length=1500,
                initial=objectives,
                placeholder="Mentees' confidence with social media | self-rating 1-5",
            ),
            hint="Write 'objective | measure'. Participants rate themselves on each at sign-up.",
        ),
        input_block(
            Field.TOPICS,
            "Topics, separated by commas",
            text_input(
                multiline=True,
                initial=", ".join(b.topics if b else DEFAULT_TOPICS),
                max_length=1500,
            ),
        ),
        header("Contract defaults"),
        input_block(
            Field.SESSIONS,
            "Number of sessions",
            number_input(initial=b.sessions_planned if b else 6, low=1, high=52),
        ),
        input_block(
            Field.CADENCE,
            "Days between sessions",
            number_input(initial=b.cadence_days if b else 21, low=1, high=90),
        ),
        input_block(
            Field.LENGTH,
            "Session length (minutes)",
            number_input(initial=b.session_minutes if b else 60, low=15, high=480),
        ),
        input_block(
            Field.MEDIUM,
            "Usual medium",
            static_select(MEDIUM_OPTIONS, initial=(b.default_medium if b else Medium.VIDEO).value),
        ),
        header("Matching"),
        input_block(Field.RULES, "Rules", rule_element, optional=True),
        input_block(
            Field.MAX_TZ_GAP,
            "Largest time-zone gap in a pair (hours)",
            number_input(initial=b.max_tz_gap_hours if b else None, low=0, high=24),
            optional=True,
            hint="Leave empty for no limit.",
        ),
        input_block(
            Field.CAPACITY,
            "Mentees per mentor",
            number_input(initial=b.mentor_capacity if b else 1, low=1, high=5),
        ),
        header("Nudges and surveys"),
        input_block(
            Field.GRACE,
            "Grace days before a nudge",
            number_input(initial=b.nudge_grace_days if b else 7, low=0, high=60),
        ),
        input_block(
            Field.PULSE,
            "Weeks between pulse surveys",
            number_input(initial=b.pulse_every_weeks if b else 4, low=1, high=26),
        ),
        input_block(
            Field.QUIET_START,
            "Quiet hours start (hour, participant's time)",
            number_input(initial=b.quiet_hours_start if b else 19, low=0, high=23),
        ),
        input_block(
            Field.QUIET_END,
            "Quiet hours end (hour, participant's time)",
            number_input(initial=b.quiet_hours_end if b else 8, low=0, high=23),
        ),
        input_block(
            Field.BUDGET,
            "Most bot messages per person per week",
            number_input(initial=b.weekly_message_budget if b else 3, low=1, high=20),
        ),
        header("Safe spaces and privacy"),
        input_block(
            Field.SPACES,
            "Safe-space channels",
            spaces_element,
            optional=True,
            hint="Each side gets a private channel. Leads stay out unless you tick this.",
        ),
        input_block(
            Field.RESOURCE_DAYS,
            "Days between resources posted to each channel",
            number_input(initial=b.resource_every_days if b else 7, low=1, high=60),
        ),
        input_block(
            Field.PURGE_DAYS,
            "Days to keep notes and comments after the programme closes",
            number_input(initial=b.purge_after_days if b else 90, low=7, high=730),
        ),
        header("Ground rules and dates"),
        input_block(
            Field.GROUND_RULES,
            "Ground rules everyone accepts",
            text_input(
                multiline=True,
                initial=b.ground_rules if b else DEFAULT_GROUND_RULES,
                max_length=3000,
            ),
        ),
        input_block(
            Field.DEADLINE,
            "Enrolment deadline",
            date_picker(b.enrolment_deadline if b else today + timedelta(days=14)),
        ),
        input_block(Field.STARTS, "Kick-off", date_picker(b.starts_on if b else starts)),
        input_block(
            Field.MIDPOINT,
            "Mid-point review",
            date_picker(b.midpoint_on if b else starts + timedelta(days=90)),
        ),
        input_block(Field.ENDS, "End", date_picker(b.ends_on if b else ends)),
        context("The programme starts as a draft. Open enrolment with `/mentoring-admin open`."),
    ]
    if cloned_from:
        blocks.insert(
            0,
            context(
                "The next cohort, with the settings, objectives and leads of the last one. "
                "Change what you learned; nobody is told until you open enrolment."
            ),
        )
    view = modal(
        View.PROGRAMME_SETUP,
        "Next cohort" if cloned_from else "New programme",
        blocks,
        submit="Create",
        private_metadata=f"clone:{cloned_from}" if cloned_from else "",
    )
    view["close"] = plain("Cancel")
    return view


def leads_modal(programme_id: int, name: str, co_leads: tuple[str, ...]) -> Block:
    """The set-up form's co-leads, for a programme that already runs."""
    return modal(
        View.PROGRAMME_LEADS,
        "Leads",
        [
            section(mrkdwn("Who runs “{name}” with you?", name=name)),
            co_leads_input(co_leads),
        ],
        submit="Save",
        private_metadata=str(programme_id),
    )
