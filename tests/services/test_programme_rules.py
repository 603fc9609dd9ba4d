"""Validation of the set-up form: each bad input names its field; good input comes back typed."""

from __future__ import annotations

from datetime import date

import pytest

from bot.ids import Field
from bot.models import MatchingMode, Medium
from bot.services.programme_rules import FormErrors, ProgrammeInput, validate_programme

TODAY = date(2026, 1, 5)


def good_form(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        Field.NAME: "Digital cohort 2026",
        Field.DESCRIPTION: "Executives learn from our digital natives.",
        Field.OBJECTIVES: "Confidence with social media | self-rating 1-5\n"
        "Understanding of AI tools | self-rating 1-5",
        Field.TOPICS: "AI, Social media, ai, Hybrid working",
        Field.SESSIONS: "6",
        Field.CADENCE: "21",
        Field.LENGTH: "60",
        Field.MEDIUM: "video",
        Field.RULES: ["mentor_more_junior", "outside_reporting_line"],
        Field.MAX_TZ_GAP: None,
        Field.CAPACITY: "1",
        Field.GRACE: "7",
        Field.PULSE: "4",
        Field.QUIET_START: "19",
        Field.QUIET_END: "8",
        Field.BUDGET: "3",
        Field.GROUND_RULES: "What we say stays with us.",
        Field.DEADLINE: "2026-01-20",
        Field.STARTS: "2026-02-01",
        Field.MIDPOINT: "2026-04-01",
        Field.ENDS: "2026-07-01",
    }
    form.update(overrides)
    return form


def test_good_form_gives_typed_input() -> None:
    result = validate_programme(good_form(), today=TODAY)
    assert isinstance(result, ProgrammeInput)
    assert result.name == "Digital cohort 2026"
    assert [o.measure for o in result.objectives] == ["self-rating 1-5", "self-rating 1-5"]
    assert result.topics == ["AI", "Social media", "Hybrid working"]  # duplicates folded
    assert result.default_medium is Medium.VIDEO
    assert result.rule_mentor_more_junior and result.rule_outside_reporting_line
    assert not result.rule_cross_department
    assert result.max_tz_gap_hours is None
    assert result.ends_on == date(2026, 7, 1)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({Field.NAME: "  "}, Field.NAME, "name"),
        ({Field.NAME: "x" * 81}, Field.NAME, "80"),
        ({Field.SESSIONS: "0"}, Field.SESSIONS, "between 1 and 52"),
        ({Field.SESSIONS: "six"}, Field.SESSIONS, "whole number"),
        ({Field.CADENCE: "0"}, Field.CADENCE, "between"),
        ({Field.ENDS: "2026-01-31"}, Field.ENDS, "after the start"),
        ({Field.DEADLINE: "2026-02-02"}, Field.DEADLINE, "on or before the start"),
        ({Field.DEADLINE: "2026-01-01"}, Field.DEADLINE, "past"),
        ({Field.MIDPOINT: "2026-08-01"}, Field.MIDPOINT, "between the start and the end"),
        ({Field.STARTS: None}, Field.STARTS, "start date"),
        ({Field.OBJECTIVES: "Confidence with social media"}, Field.OBJECTIVES, "measure"),
        ({Field.OBJECTIVES: ""}, Field.OBJECTIVES, "at least one"),
        ({Field.OBJECTIVES: "\n".join(f"o{i} | m" for i in range(6))}, Field.OBJECTIVES, "5"),
        ({Field.TOPICS: " , "}, Field.TOPICS, "at least one"),
        ({Field.MEDIUM: None}, Field.MEDIUM, "medium"),
        ({Field.MAX_TZ_GAP: "30"}, Field.MAX_TZ_GAP, "between 0 and 24"),
        ({Field.GROUND_RULES: ""}, Field.GROUND_RULES, "ground rules"),
        ({Field.QUIET_START: "24"}, Field.QUIET_START, "between 0 and 23"),
        ({Field.MATCHING_MODE: "anyone"}, Field.MATCHING_MODE, "who decides"),
        ({Field.ANSWER_DAYS: "0"}, Field.ANSWER_DAYS, "between 1 and 14"),
    ],
)
def test_bad_input_names_the_field(overrides: dict, field: str, words: str) -> None:
    result = validate_programme(good_form(**overrides), today=TODAY)
    assert isinstance(result, FormErrors)
    assert field in result.errors, result.errors
    assert words in result.errors[field]


def test_every_problem_is_reported_at_once() -> None:
    result = validate_programme(
        good_form(**{Field.NAME: "", Field.SESSIONS: "0", Field.ENDS: "2026-01-01"}), today=TODAY
    )
    assert isinstance(result, FormErrors)
    assert {Field.NAME, Field.SESSIONS, Field.ENDS} <= set(result.errors)


def test_who_decides_the_pairs_is_the_leads_matching_unless_the_form_says_otherwise() -> None:
    plain = validate_programme(good_form(), today=TODAY)
    assert isinstance(plain, ProgrammeInput)
    assert (plain.matching_mode, plain.answer_days) == (MatchingMode.LEAD, 3)
    chosen = validate_programme(
        good_form(**{Field.MATCHING_MODE: "choose", Field.ANSWER_DAYS: "5"}), today=TODAY
    )
    assert isinstance(chosen, ProgrammeInput)
    assert (chosen.matching_mode, chosen.answer_days) == (MatchingMode.CHOOSE, 5)
