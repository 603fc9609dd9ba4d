"""Validation of the programme set-up form: plain values in, a clean input or field errors out."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from bot.ids import Field
from bot.models import MatchingMode, Medium, PreparationRule

# A Slack user id as a users_select sends it (U…, or W… on Enterprise Grid).
SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,31}")
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

E = TypeVar("E", bound=enum.Enum)

# A whole number the set-up asks for: its name in ProgrammeInput, its field, the lowest and
# highest value it may take, and how its error names it.
_WholeNumber = tuple[str, str, int, int, str]
_CONTRACT: tuple[_WholeNumber, ...] = (
    ("sessions_planned", Field.SESSIONS, 1, 52, "the number of sessions"),
    ("cadence_days", Field.CADENCE, 1, 90, "the days between sessions"),
    ("session_minutes", Field.LENGTH, 15, 480, "the session length in minutes"),
)
_MESSAGING: tuple[_WholeNumber, ...] = (
    ("nudge_grace_days", Field.GRACE, 0, 60, "the grace days"),
    ("pulse_every_weeks", Field.PULSE, 1, 26, "the weeks between pulse surveys"),
    ("quiet_hours_start", Field.QUIET_START, 0, 23, "the hour quiet hours start"),
    ("quiet_hours_end", Field.QUIET_END, 0, 23, "the hour quiet hours end"),
    ("weekly_message_budget", Field.BUDGET, 1, 20, "the weekly message budget"),
)
# Asked by the full set-up form only; ProgrammeInput's defaults stand for the others.
_KEEPING: tuple[_WholeNumber, ...] = (
    ("resource_every_days", Field.RESOURCE_DAYS, 1, 60, "the days between resources"),
    ("purge_after_days", Field.PURGE_DAYS, 7, 730, "the days free text is kept after closing"),
)
# Preparation tracks, asked by the full set-up form only.
_PREPARING: tuple[_WholeNumber, ...] = (
    ("lesson_every_days", Field.LESSON_DAYS, 1, 14, "the days between lessons"),
)
# Mentee-led choice, asked by the full set-up form only.
_CHOOSING: tuple[_WholeNumber, ...] = (
    ("answer_days", Field.ANSWER_DAYS, 1, 14, "the days a mentor has to answer a request"),
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
    # Who decides the pairs, and how long a mentor has to answer a mentee who chose them.
    matching_mode: MatchingMode = MatchingMode.LEAD
    answer_days: int = 3
    # The executive sponsor, a Slack user who gets the monthly digest; None for no sponsor.
    sponsor_id: str | None = None
    # Preparation tracks: days between lessons, and whether the chemistry meeting waits.
    lesson_every_days: int = 2
    preparation: PreparationRule = PreparationRule.RECOMMEND


@dataclass
class FormErrors:
    """Field errors keyed by block id, as Slack shows them under each input."""

    errors: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def __bool__(self) -> bool:
        return bool(self.errors)


def form_text(form: Mapping[str, object], key: str) -> str:
    """A typed answer without its surrounding spaces; "" when there is none."""
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def required_text(
    form: Mapping[str, object],
    key: str,
    errors: FormErrors,
    *,
    missing: str,
    limit: int | None = None,
    too_long: str = "",
) -> str:
    """A typed answer that must be there, and under `limit` characters when there is one."""
    value = form_text(form, key)
    if not value:
        errors.add(key, missing)
    elif limit is not None and len(value) > limit:
        errors.add(key, too_long)
    return value


def choice(
    form: Mapping[str, object], key: str, errors: FormErrors, *, missing: str, default: E
) -> E:
    """One of an enumeration's values; `default` stands in for a missing one."""
    try:
        return type(default)(form_text(form, key))
    except ValueError:
        errors.add(key, missing)
        return default


def _int(
    form: Mapping[str, object], key: str, errors: FormErrors, low: int, high: int, label: str
) -> int:
    raw = form_text(form, key)
    try:
        value = int(raw)
    except ValueError:
        errors.add(key, f"Enter {label} as a whole number.")
        return low
    if not low <= value <= high:
        errors.add(key, f"{label.capitalize()} must be between {low} and {high}.")
    return value


def _ints(
    form: Mapping[str, object], errors: FormErrors, table: Sequence[_WholeNumber]
) -> dict[str, int]:
    """Each whole number of the table, by the set-up's name for it."""
    return {
        name: _int(form, key, errors, low, high, label) for name, key, low, high, label in table
    }


def _date(form: Mapping[str, object], key: str, errors: FormErrors, label: str) -> date:
    raw = form_text(form, key)
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
    # The parts in the form's order, so its errors come in the order of its fields.
    values: dict[str, Any] = {
        **_about(form, errors),
        **_contract(form, errors),
        **_matching(form, errors),
        **_ints(form, errors, _MESSAGING),
        **_spaces_and_keeping(form, errors),
        **_preparing(form, errors),
    }
    values["ground_rules"] = required_text(
        form,
        Field.GROUND_RULES,
        errors,
        missing="Write the ground rules every participant will accept.",
    )
    values.update(_calendar(form, errors, today=today))
    if errors:
        return errors
    return ProgrammeInput(**values)


def _about(form: Mapping[str, object], errors: FormErrors) -> dict[str, Any]:
    name = required_text(
        form,
        Field.NAME,
        errors,
        missing="Give the programme a name.",
        limit=80,
        too_long="Keep the name under 80 characters.",
    )
    return {
        "name": name,
        "description": form_text(form, Field.DESCRIPTION),
        **parse_sponsor(form, errors),
        "objectives": parse_objectives(form_text(form, Field.OBJECTIVES), errors),
        "topics": parse_topics(form_text(form, Field.TOPICS), errors),
    }


def parse_sponsor(form: Mapping[str, object], errors: FormErrors) -> dict[str, str | None]:
    """The sponsor picked ({"sponsor_id": None} when the field is left empty), or nothing at
    all when the form does not ask, so the programme keeps the one it has."""
    if Field.SPONSOR not in form:
        return {}
    picked = form.get(Field.SPONSOR) or []  # a multi-select of at most one person
    if picked == []:
        return {"sponsor_id": None}
    if not isinstance(picked, list) or len(picked) != 1:
        errors.add(Field.SPONSOR, "Pick one sponsor, or none.")
        return {}
    if not isinstance(picked[0], str) or not SLACK_USER.fullmatch(picked[0]):
        errors.add(Field.SPONSOR, "Pick the sponsor from the list of people, or leave it empty.")
        return {}
    return {"sponsor_id": picked[0]}


def _contract(form: Mapping[str, object], errors: FormErrors) -> dict[str, Any]:
    """The defaults offered to every pair."""
    values: dict[str, Any] = _ints(form, errors, _CONTRACT)
    values["default_medium"] = choice(
        form,
        Field.MEDIUM,
        errors,
        missing="Choose the usual medium for sessions.",
        default=Medium.VIDEO,
    )
    return values


def _matching(form: Mapping[str, object], errors: FormErrors) -> dict[str, Any]:
    """The matching rules ticked, the time-zone gap (none when blank), mentor capacity, and
    who decides the pairs."""
    rules = form.get(Field.RULES) or []
    rules = set(rules) if isinstance(rules, list | tuple | set) else set()
    tz_gap: int | None = None
    if form_text(form, Field.MAX_TZ_GAP):
        tz_gap = _int(form, Field.MAX_TZ_GAP, errors, 0, 24, "the maximum time-zone gap in hours")
    values: dict[str, Any] = {
        **{f"rule_{rule}": rule in rules for rule in MATCHING_RULES},
        "max_tz_gap_hours": tz_gap,
        "mentor_capacity": _int(form, Field.CAPACITY, errors, 1, 5, "the mentees per mentor"),
    }
    if Field.MATCHING_MODE in form:  # forms that do not ask keep the lead's matching
        values["matching_mode"] = choice(
            form,
            Field.MATCHING_MODE,
            errors,
            missing="Choose who decides the pairs.",
            default=MatchingMode.LEAD,
        )
    values.update(_ints(form, errors, [row for row in _CHOOSING if row[1] in form]))
    return values


def _spaces_and_keeping(form: Mapping[str, object], errors: FormErrors) -> dict[str, Any]:
    """Safe spaces, resources and keeping free text: forms that do not ask keep the defaults."""
    spaces = form.get(Field.SPACES) or []
    values: dict[str, Any] = {
        "leads_in_spaces": isinstance(spaces, list | tuple | set) and "leads_in_spaces" in spaces
    }
    asked = [row for row in _KEEPING if row[1] in form]  # by its field
    values.update(_ints(form, errors, asked))
    return values


def _preparing(form: Mapping[str, object], errors: FormErrors) -> dict[str, Any]:
    """The preparation tracks' pace and rule: forms that do not ask keep the defaults."""
    values: dict[str, Any] = _ints(form, errors, [row for row in _PREPARING if row[1] in form])
    if Field.PREPARATION in form:
        values["preparation"] = choice(
            form,
            Field.PREPARATION,
            errors,
            missing="Choose whether the chemistry meeting waits for preparation.",
            default=PreparationRule.RECOMMEND,
        )
    return values


def _calendar(form: Mapping[str, object], errors: FormErrors, *, today: date) -> dict[str, date]:
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
    return {
        "enrolment_deadline": deadline,
        "starts_on": starts,
        "midpoint_on": midpoint,
        "ends_on": ends,
    }
