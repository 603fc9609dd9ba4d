"""The next cohort: a programme's settings, objectives and leads carried into a new draft,
with its calendar moved forward. Plain values in and out; no Slack."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Programme, ProgrammeLead
from bot.services.programme_rules import ObjectiveInput, ProgrammeInput

# A new enrolment needs time to be announced and answered.
ENROLMENT_WINDOW = timedelta(days=14)
YEAR = re.compile(r"(19|20)\d\d")
MAX_NAME = 80


def next_name(name: str) -> str:
    """'Digital cohort 2026' -> 'Digital cohort 2027'; otherwise '… (next cohort)'."""
    years = list(YEAR.finditer(name))
    if years:
        last = years[-1]
        return name[: last.start()] + str(int(last.group()) + 1) + name[last.end() :]
    suffix = " (next cohort)"
    return name[: MAX_NAME - len(suffix)].rstrip() + suffix


def next_cohort(programme: Programme, *, today: date) -> ProgrammeInput:
    """The form's values for the next cohort: the same everything, a new name, and the same
    calendar (enrolment to kick-off, kick-off to mid-point and end) from a fresh enrolment."""
    deadline = today + ENROLMENT_WINDOW
    starts = deadline + max(programme.starts_on - programme.enrolment_deadline, timedelta(days=1))
    p = programme
    return ProgrammeInput(
        name=next_name(p.name),
        description=p.description,
        objectives=[ObjectiveInput(o.title, o.measure) for o in p.objectives],
        topics=list(p.topics),
        sessions_planned=p.sessions_planned,
        cadence_days=p.cadence_days,
        session_minutes=p.session_minutes,
        default_medium=p.default_medium,
        rule_mentor_more_junior=p.rule_mentor_more_junior,
        rule_outside_reporting_line=p.rule_outside_reporting_line,
        rule_cross_department=p.rule_cross_department,
        max_tz_gap_hours=p.max_tz_gap_hours,
        mentor_capacity=p.mentor_capacity,
        nudge_grace_days=p.nudge_grace_days,
        pulse_every_weeks=p.pulse_every_weeks,
        quiet_hours_start=p.quiet_hours_start,
        quiet_hours_end=p.quiet_hours_end,
        weekly_message_budget=p.weekly_message_budget,
        ground_rules=p.ground_rules,
        enrolment_deadline=deadline,
        starts_on=starts,
        midpoint_on=starts + (p.midpoint_on - p.starts_on),
        ends_on=starts + (p.ends_on - p.starts_on),
        leads_in_spaces=p.leads_in_spaces,
        resource_every_days=p.resource_every_days,
        purge_after_days=p.purge_after_days,
    )


async def adopt(
    session: AsyncSession, *, source: Programme, target: Programme, now: datetime
) -> None:
    """What the form does not show comes from the source: matching weights, the reporting
    line depth, the survey threshold and the neutral supporter (the co-leads are on the form)."""
    target.matching_weights = dict(source.matching_weights or {})
    target.reporting_line_depth = source.reporting_line_depth
    target.min_survey_respondents = source.min_survey_respondents
    present = {lead.user_id for lead in target.leads}
    for lead in await session.scalars(
        select(ProgrammeLead).where(
            ProgrammeLead.programme_id == source.id, ProgrammeLead.is_supporter.is_(True)
        )
    ):
        if lead.user_id not in present:
            target.leads.append(
                ProgrammeLead(user_id=lead.user_id, is_supporter=lead.is_supporter, added_at=now)
            )
