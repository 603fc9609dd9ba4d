"""Validation of the programme set-up form: plain values in, a clean input or field errors out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.ids import Field
from bot.models import Medium

MAX_OBJECTIVES = 5
MAX_TOPICS = 25
MATCHING_RULES = ("mentor_more_junior", "outside_reporting_line", "cross_department")
DEFAULT_TOPICS = (
    "Digital tools",
    "Social media",
    "AI",
    "Hybrid working",
    "Diversity and inclusion",
    "Generational perspectives",
)


@dataclass(frozen=True)
class ObjectiveInput:
    title: str
    measure: str


@dataclass(frozen=True)
class ProgrammeInput:
    name: str
    description: str
    objectives: list[ObjectiveInput]
    topics: list[str]
    sessions_planned: int
    cadence_days: int
    session_minutes: int
    default_medium: Medium
    rule_mentor_more_junior: bool
    rule_outside_reporting_line: bool
    rule_cross_department: bool
    max_tz_gap_hours: int | None
    mentor_capacity: int
    nudge_grace_days: int
    pulse_every_weeks: int
    quiet_hours_start: int
    quiet_hours_end: int
    weekly_message_budget: int
    ground_rules: str
    enrolment_deadline: date
    starts_on: date
    midpoint_on: date
    ends_on: date
    # Safe spaces, resources and keeping free text (defaults for forms that do not ask).
    leads_in_spaces: bool = False
    resource_every_days: int = 7
    purge_after_days: int = 90


@dataclass
class FormErrors:
    """Field errors keyed by block id, as Slack shows them under each input."""

    errors: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def __bool__(self) -> bool:
        return bool(self.errors)


def _text(form: dict[str, object], key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _int(
    form: dict[str, object], key: str, errors: FormErrors, low: int, high: int, label: str
) -> int:
    raw = _text(form, key)
    try:
        value = int(raw)
    except ValueError:
        errors.add(key, f"Enter {label} as a whole number.")
        return low
    if not low <= value <= high:
        errors.add(key, f"{label.capitalize()} must be between {low} and {high}.")
    return value


def _date(form: dict[str, object], key: str, errors: FormErrors, label: str) -> date:
    raw = _text(form, key)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.add(key, f"Pick the {label}.")
        return date.min


def parse_objectives(text: str, errors: FormErrors) -> list[ObjectiveInput]:
    objectives: list[ObjectiveInput] = []
    for number, line in enumerate(filter(None, (ln.strip() for ln in text.splitlines())), 1):
        title, sep, measure = line.partition("|")
        title, measure = title.strip(), measure.strip()
        if not sep or not title or not measure:
            errors.add(
                Field.OBJECTIVES,
                f"Line {number} needs an objective and its measure, like "
                "'Confidence with social media | self-rating 1-5'.",
            )
            continue
        if len(title) > 150 or len(measure) > 150:
            errors.add(Field.OBJECTIVES, f"Line {number}: keep each part under 150 characters.")
            continue
        objectives.append(ObjectiveInput(title, measure))
    if not objectives and Field.OBJECTIVES not in errors.errors:
        errors.add(Field.OBJECTIVES, "Add at least one objective with its measure.")
    if len(objectives) > MAX_OBJECTIVES:
        errors.add(Field.OBJECTIVES, f"Keep to at most {MAX_OBJECTIVES} objectives.")
    return objectives


def parse_topics(text: str, errors: FormErrors) -> list[str]:
    seen: dict[str, str] = {}
    for part in text.replace("\n", ",").split(","):
        topic = part.strip()
        if topic and topic.casefold() not in seen:
            seen[topic.casefold()] = topic
    topics = list(seen.values())
    if not topics:
        errors.add(Field.TOPICS, "List at least one topic, separated by commas.")
    elif len(topics) > MAX_TOPICS:
        errors.add(Field.TOPICS, f"Keep to at most {MAX_TOPICS} topics.")
    elif any(len(t) > 60 for t in topics):
        errors.add(Field.TOPICS, "Keep each topic under 60 characters.")
    return topics


def validate_programme(form: dict[str, object], *, today: date) -> ProgrammeInput | FormErrors:
    errors = FormErrors()
    name = _text(form, Field.NAME)
    if not name:
        errors.add(Field.NAME, "Give the programme a name.")
    elif len(name) > 80:
        errors.add(Field.NAME, "Keep the name under 80 characters.")
    description = _text(form, Field.DESCRIPTION)
    objectives = parse_objectives(_text(form, Field.OBJECTIVES), errors)
    topics = parse_topics(_text(form, Field.TOPICS), errors)

    sessions = _int(form, Field.SESSIONS, errors, 1, 52, "the number of sessions")
    cadence = _int(form, Field.CADENCE, errors, 1, 90, "the days between sessions")
    length = _int(form, Field.LENGTH, errors, 15, 480, "the session length in minutes")
    medium_raw = _text(form, Field.MEDIUM)
    try:
        medium = Medium(medium_raw)
    except ValueError:
        errors.add(Field.MEDIUM, "Choose the usual medium for sessions.")
        medium = Medium.VIDEO

    rules = form.get(Field.RULES) or []
    rules = set(rules) if isinstance(rules, list | tuple | set) else set()
    tz_gap: int | None = None
    if _text(form, Field.MAX_TZ_GAP):
        tz_gap = _int(form, Field.MAX_TZ_GAP, errors, 0, 24, "the maximum time-zone gap in hours")
    capacity = _int(form, Field.CAPACITY, errors, 1, 5, "the mentees per mentor")
    grace = _int(form, Field.GRACE, errors, 0, 60, "the grace days")
    pulse = _int(form, Field.PULSE, errors, 1, 26, "the weeks between pulse surveys")
    quiet_start = _int(form, Field.QUIET_START, errors, 0, 23, "the hour quiet hours start")
    quiet_end = _int(form, Field.QUIET_END, errors, 0, 23, "the hour quiet hours end")
    budget = _int(form, Field.BUDGET, errors, 1, 20, "the weekly message budget")
    spaces = form.get(Field.SPACES) or []
    leads_in_spaces = isinstance(spaces, list | tuple | set) and "leads_in_spaces" in spaces
    resource_days = 7
    if Field.RESOURCE_DAYS in form:
        resource_days = _int(form, Field.RESOURCE_DAYS, errors, 1, 60, "the days between resources")
    purge_days = 90
    if Field.PURGE_DAYS in form:
        purge_days = _int(
            form, Field.PURGE_DAYS, errors, 7, 730, "the days free text is kept after closing"
        )
    ground_rules = _text(form, Field.GROUND_RULES)
    if not ground_rules:
        errors.add(Field.GROUND_RULES, "Write the ground rules every participant will accept.")

    deadline = _date(form, Field.DEADLINE, errors, "enrolment deadline")
    starts = _date(form, Field.STARTS, errors, "start date")
    midpoint = _date(form, Field.MIDPOINT, errors, "mid-point date")
    ends = _date(form, Field.ENDS, errors, "end date")
    if date.min not in (deadline, starts, midpoint, ends):
        if deadline < today:
            errors.add(Field.DEADLINE, "The enrolment deadline is in the past.")
        if deadline > starts:
            errors.add(Field.DEADLINE, "The enrolment deadline must be on or before the start.")
        if ends <= starts:
            errors.add(Field.ENDS, "The end date must be after the start date.")
        elif not starts < midpoint < ends:
            errors.add(Field.MIDPOINT, "The mid-point must fall between the start and the end.")

    if errors:
        return errors
    return ProgrammeInput(
        name=name,
        description=description,
        objectives=objectives,
        topics=topics,
        sessions_planned=sessions,
        cadence_days=cadence,
        session_minutes=length,
        default_medium=medium,
        rule_mentor_more_junior="mentor_more_junior" in rules,
        rule_outside_reporting_line="outside_reporting_line" in rules,
        rule_cross_department="cross_department" in rules,
        max_tz_gap_hours=tz_gap,
        mentor_capacity=capacity,
        nudge_grace_days=grace,
        pulse_every_weeks=pulse,
        quiet_hours_start=quiet_start,
        quiet_hours_end=quiet_end,
        weekly_message_budget=budget,
        ground_rules=ground_rules,
        enrolment_deadline=deadline,
        starts_on=starts,
        midpoint_on=midpoint,
        ends_on=ends,
        leads_in_spaces=leads_in_spaces,
        resource_every_days=resource_days,
        purge_after_days=purge_days,
    )
