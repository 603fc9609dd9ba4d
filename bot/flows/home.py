"""App Home: built for one person and published whenever what they see there changes."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from bot.models import Programme, ProgrammeStatus
from bot.services import checkins, programmes, signup
from bot.services.people import Profile, is_lead
from bot.services.reports import build_report
from bot.views.home import home_view
from bot.views.report import home_summary

# The lead's running programmes get a line of figures each; the full report is a command away.
REPORTED = (ProgrammeStatus.RUNNING, ProgrammeStatus.REVIEWING)


MAX_HOME_REPORTS = 3


async def home_view_for(
    session: AsyncSession, deps: Deps, *, team_id: str, user_id: str, profile: Profile
) -> dict:
    """The Home tab for this person, read inside the caller's transaction."""
    now = deps.clock.now()
    today = now.date()
    mine = await signup.participations(session, team_id=team_id, user_id=user_id)
    open_count = len(await signup.open_programme_ids(session, team_id=team_id, today=today))
    led = None
    reports: dict[int, str] = {}
    may_create = is_lead(profile, deps.settings.lead_user_ids)
    # Only the programmes this person leads; creating one is for those who may.
    theirs = [
        s
        for s in await programmes.summaries(session, team_id=team_id, lead_id=user_id)
        if s.is_lead and not (profile.deleted or profile.is_bot)
    ]
    if may_create or theirs:
        led = theirs
        running = [s for s in led if s.status in REPORTED][:MAX_HOME_REPORTS]
        for summary in running:
            programme = await session.get(Programme, summary.id)
            assert programme is not None
            report = await build_report(session, programme=programme, today=today, now=now)
            reports[summary.id] = home_summary(report)
    pairs = await checkins.pair_homes(session, team_id=team_id, user_id=user_id)
    return home_view(
        participations=mine,
        open_programme_count=open_count,
        lead_programmes=led,
        lead_reports=reports,
        may_create_programmes=may_create,
        pairs=pairs,
        user_id=user_id,
        now=now,
    )


async def publish_home(deps: Deps, client: AsyncWebClient, *, team_id: str, user_id: str) -> None:
    profile = await deps.profiles.get(client, team_id=team_id, user_id=user_id)
    async with deps.db.transaction() as session:
        view = await home_view_for(session, deps, team_id=team_id, user_id=user_id, profile=profile)
    await client.views_publish(user_id=user_id, view=view)
