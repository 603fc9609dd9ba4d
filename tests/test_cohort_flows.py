"""The next cohort: `/mentoring-admin clone` starts a new draft from a programme's settings,
objectives and leads, with its calendar moved to a fresh enrolment."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.ids import Command, Field, View
from bot.models import Programme, ProgrammeLead, ProgrammeStatus
from bot.sandbox import Sandbox
from bot.services.cohorts import next_name
from bot.views.admin import NOT_A_LEAD
from tests.conftest import ADMIN, LEAD, MENTOR
from tests.flows import create_programme


def test_the_next_name_moves_the_year_on_or_says_next_cohort() -> None:
    assert next_name("Digital cohort 2026") == "Digital cohort 2027"
    assert next_name("2025-2026 D&I") == "2025-2027 D&I"
    assert next_name("Digital natives") == "Digital natives (next cohort)"
    long = "x" * 80
    assert len(next_name(long)) == 80 and next_name(long).endswith("(next cohort)")


async def programmes_by_name(box: Sandbox) -> dict[str, Programme]:
    async with box.db.transaction() as session:
        found = await session.scalars(
            select(Programme).options(
                selectinload(Programme.objectives), selectinload(Programme.leads)
            )
        )
        return {p.name: p for p in found}


async def test_a_programme_is_cloned_into_a_draft_for_the_next_cohort(sandbox: Sandbox) -> None:
    box = sandbox
    await create_programme(
        box,
        LEAD,
        **{
            Field.NAME: "Digital cohort 2026",
            Field.CADENCE: "14",
            Field.GRACE: "3",
            Field.SPACES: ["leads_in_spaces"],
            Field.RESOURCE_DAYS: "14",
            Field.PURGE_DAYS: "30",
        },
    )
    async with box.db.transaction() as session:
        source = await session.scalar(select(Programme))
        assert source is not None
        source.min_survey_respondents = 7
        source.matching_weights = {"skills": 2.0}
        session.add(
            ProgrammeLead(
                programme_id=source.id, user_id=ADMIN, is_supporter=True, added_at=source.created_at
            )
        )

    await box.command(MENTOR, Command.ADMIN, "clone Digital cohort 2026")
    assert box.replies(MENTOR)[-1]["text"] == NOT_A_LEAD and box.modal(MENTOR) is None

    await box.command(LEAD, Command.ADMIN, "clone Digital cohort 2026")
    modal = box.modal(LEAD)
    assert modal is not None and modal["callback_id"] == View.PROGRAMME_SETUP
    assert modal["title"]["text"] == "Next cohort"
    await box.submit(LEAD, modal["id"], {})  # everything as prefilled
    assert "“Digital cohort 2027” is created as a draft" in box.last_dm(LEAD)

    found = await programmes_by_name(box)
    old, new = found["Digital cohort 2026"], found["Digital cohort 2027"]
    assert (old.leads_in_spaces, old.resource_every_days, old.purge_after_days) == (True, 14, 30)
    assert new.status == ProgrammeStatus.DRAFT
    for setting in (
        "description",
        "topics",
        "sessions_planned",
        "cadence_days",
        "session_minutes",
        "default_medium",
        "rule_mentor_more_junior",
        "rule_outside_reporting_line",
        "rule_cross_department",
        "mentor_capacity",
        "nudge_grace_days",
        "pulse_every_weeks",
        "quiet_hours_start",
        "quiet_hours_end",
        "weekly_message_budget",
        "ground_rules",
        "min_survey_respondents",
        "matching_weights",
        "reporting_line_depth",
        "leads_in_spaces",
        "resource_every_days",
        "purge_after_days",
    ):
        assert getattr(new, setting) == getattr(old, setting), setting
    assert [(o.title, o.measure) for o in new.objectives] == [
        (o.title, o.measure) for o in old.objectives
    ]
    assert {(lead.user_id, lead.is_supporter) for lead in new.leads} == {
        (LEAD, False),
        (ADMIN, True),
    }
    # A fresh enrolment from today (5 Jan), with the old calendar's spacing.
    assert new.enrolment_deadline == date(2026, 1, 19)
    assert new.starts_on - new.enrolment_deadline == old.starts_on - old.enrolment_deadline
    assert new.ends_on - new.starts_on == old.ends_on - old.starts_on
    assert new.midpoint_on - new.starts_on == old.midpoint_on - old.starts_on


async def test_clone_names_the_programme_when_there_are_several(sandbox: Sandbox) -> None:
    box = sandbox
    await create_programme(box, LEAD, **{Field.NAME: "Digital cohort"})
    await create_programme(box, LEAD, **{Field.NAME: "D&I cohort"})
    await box.command(LEAD, Command.ADMIN, "clone")
    assert "Which programme?" in box.replies(LEAD)[-1]["text"]
    await box.command(LEAD, Command.ADMIN, "clone Marketing")
    assert "no programme called “Marketing”" in box.replies(LEAD)[-1]["text"]
    assert box.modal(LEAD) is None
