"""App Home: built for one person and published when they open it or act: through the outbox,
so Home refreshes keep views.publish's tier with everything else. One outbox row per person
is queued again each time; the view is built from the database when it goes, so a refresh
that waits for its slot still shows the latest. Someone whose Home changed because another
person acted sees it the next time they open it (app_home_opened publishes it afresh)."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from bot.flows.delivery import deliver_now
from bot.models import Programme, ProgrammeStatus
from bot.services import checkins, outbox, preparation, programmes, signup
from bot.services.outbox import Kind, Message
from bot.services.people import Profile, is_lead
from bot.services.reports import build_report
from bot.slack.delivery import HomeBuilder
from bot.views.home import home_view
from bot.views.report import home_summary

# The lead's running programmes get a line of figures each; the full report is a command away.
REPORTED = (ProgrammeStatus.RUNNING, ProgrammeStatus.REVIEWING)


MAX_HOME_REPORTS = 3
# Programmes whose participants are preparing get their counts per side on the lead's Home.
PREPARING = (ProgrammeStatus.ENROLLING, ProgrammeStatus.MATCHING, ProgrammeStatus.RUNNING)
MAX_HOME_PREPARATION = 10


async def home_view_for(
    session: AsyncSession, deps: Deps, *, team_id: str, user_id: str, profile: Profile
) -> dict:
    """The Home tab for this person, from the caller's session (it only reads)."""
    now = deps.clock.now()
    today = now.date()
    mine = await signup.participations(session, team_id=team_id, user_id=user_id)
    open_count = len(await signup.open_programme_ids(session, team_id=team_id, today=today))
    led = None
    reports: dict[int, str] = {}
    prepared: dict[int, list[preparation.SideCount]] = {}
    may_create = is_lead(profile, deps.settings.lead_user_ids)
    # Only the programmes this person leads; creating one is for those who may. Most people
    # lead none, and their Home reads nothing more of programmes.
    led_ids = (
        set()
        if profile.deleted or profile.is_bot
        else await programmes.led_programme_ids(session, lead_id=user_id)
    )
    theirs = (
        [s for s in await programmes.summaries(session, team_id=team_id, led=led_ids) if s.is_lead]
        if led_ids
        else []
    )
    if may_create or theirs:
        led = theirs
        running = [s for s in led if s.status in REPORTED][:MAX_HOME_REPORTS]
        for summary in running:
            programme = await session.get(Programme, summary.id)
            assert programme is not None
            report = await build_report(session, programme=programme, today=today, now=now)
            reports[summary.id] = home_summary(report)
        for summary in led[:MAX_HOME_PREPARATION]:
            if summary.status in PREPARING:
                programme = await session.get(Programme, summary.id)
                assert programme is not None
                prepared[summary.id] = await preparation.completion(session, programme=programme)
    pairs = await checkins.pair_homes(session, team_id=team_id, user_id=user_id)
    return home_view(
        participations=mine,
        open_programme_count=open_count,
        lead_programmes=led,
        lead_reports=reports,
        lead_preparation=prepared,
        may_create_programmes=may_create,
        pairs=pairs,
        user_id=user_id,
        now=now,
    )


def home_refresh(team_id: str, profile: Profile) -> Message:
    """The person's Home, to publish: what the view needs of their profile goes with it (the
    sender asks Slack for nothing but views.publish)."""
    return Message(
        key=f"home:{team_id}:{profile.user_id}",
        kind=Kind.HOME,
        team_id=team_id,
        channel_id=profile.user_id,
        params={
            "admin": profile.is_admin,
            "owner": profile.is_owner,
            "bot": profile.is_bot,
            "deleted": profile.deleted,
        },
    )


def home_builder(deps: Deps) -> HomeBuilder:
    """How the outbox's sender builds a Home it publishes, as the database says then."""

    async def build(team_id: str, user_id: str, params: dict[str, Any]) -> dict[str, Any]:
        profile = Profile(
            user_id=user_id,
            display_name=user_id,
            tz=None,
            is_admin=bool(params.get("admin")),
            is_owner=bool(params.get("owner")),
            is_bot=bool(params.get("bot")),
            deleted=bool(params.get("deleted")),
        )
        async with deps.db.reads() as session:  # a view: each read as fresh as the last
            return await home_view_for(
                session, deps, team_id=team_id, user_id=user_id, profile=profile
            )

    return build


async def queue_home(session: AsyncSession, deps: Deps, *, team_id: str, profile: Profile) -> str:
    """Queue the person's Home in the caller's transaction; its outbox key."""
    message = home_refresh(team_id, profile)
    await outbox.queue_again(session, [message], now=deps.clock.now())
    return message.key


async def send_homes(deps: Deps, keys: list[str]) -> None:
    """The queued Homes, now if their slots are free (else the outbox sends them in theirs)."""
    await deliver_now(deps, keys, homes=home_builder(deps))


async def publish_home(deps: Deps, client: AsyncWebClient, *, team_id: str, user_id: str) -> None:
    """Publish the person's Home (they opened it, or what they just did changed it)."""
    profile = await deps.profiles.get(client, team_id=team_id, user_id=user_id)
    async with deps.db.transaction() as session:
        key = await queue_home(session, deps, team_id=team_id, profile=profile)
    await send_homes(deps, [key])
