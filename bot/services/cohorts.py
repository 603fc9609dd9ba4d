"""The next cohort: a programme's settings, objectives and leads carried into a new draft,
with its calendar moved forward. Plain values in and out; no Slack."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Programme, ProgrammeLead, Resource
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


# What the next cohort changes; every other field of the form it keeps as the programme has it.
_CHANGED = {
    "name",
    "objectives",
    "topics",
    "enrolment_deadline",
    "starts_on",
    "midpoint_on",
    "ends_on",
}


def next_cohort(programme: Programme, *, today: date) -> ProgrammeInput:
    """The form's values for the next cohort: the same everything, a new name, and the same
    calendar (enrolment to kick-off, kick-off to mid-point and end) from a fresh enrolment."""
    deadline = today + ENROLMENT_WINDOW
    starts = deadline + max(programme.starts_on - programme.enrolment_deadline, timedelta(days=1))
    p = programme
    kept = {f.name: getattr(p, f.name) for f in fields(ProgrammeInput) if f.name not in _CHANGED}
    return ProgrammeInput(
        name=next_name(p.name),
        objectives=[ObjectiveInput(o.title, o.measure) for o in p.objectives],
        topics=list(p.topics),
        enrolment_deadline=deadline,
        starts_on=starts,
        midpoint_on=starts + (p.midpoint_on - p.starts_on),
        ends_on=starts + (p.ends_on - p.starts_on),
        **kept,
    )


async def adopt(
    session: AsyncSession, *, source: Programme, target: Programme, now: datetime
) -> None:
    """What the form does not show comes from the source: matching weights, the reporting
    line depth, the survey threshold, the neutral supporter (the co-leads are on the form) and
    the preparation tracks as the leads left them."""
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
    await _adopt_lessons(session, source=source, target=target, now=now)


async def _adopt_lessons(
    session: AsyncSession, *, source: Programme, target: Programme, now: datetime
) -> None:
    """The source's lessons, with the leads' edits, in place of the starter track."""
    lessons = list(
        await session.scalars(
            select(Resource)
            .where(
                Resource.programme_id == source.id,
                Resource.lesson.is_not(None),
                Resource.removed_at.is_(None),
            )
            .order_by(Resource.id)
        )
    )
    if not lessons:
        return
    await session.execute(
        delete(Resource).where(Resource.programme_id == target.id, Resource.lesson.is_not(None))
    )
    session.add_all(
        Resource(
            programme_id=target.id,
            title=r.title,
            url=r.url,
            body=r.body,
            audience=r.audience,
            topic=r.topic,
            lesson=r.lesson,
            created_by=r.created_by,
            created_at=now,
            updated_at=now,
        )
        for r in lessons
    )
