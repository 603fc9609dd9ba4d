"""Running a match for a lead (off the event loop, with progress for large cohorts), showing
the preview, introducing approved pairs, and a lead ending a pair."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import LeadClick
from bot.flows.choosing import may_match
from bot.flows.delivery import deliver_now
from bot.flows.endings import announce
from bot.models import OutboxStatus, ProgrammeStatus
from bot.observe import logs
from bot.services import audit, outbox
from bot.services import pairs as pair_service
from bot.services.matching import runs
from bot.services.matching.model import MatchInput, MatchResult
from bot.services.matching.pool import load_pool
from bot.services.matching.process import EngineStopped
from bot.services.pairs import PairFacts
from bot.services.programmes import find_programmes, get_programme
from bot.slack.replies import Reply
from bot.views import matching as views
from bot.views.mrkdwn import Mrkdwn, code, join, mrkdwn

log = logging.getLogger(__name__)

# From this many people the lead sees the engine's stages while it works.
PROGRESS_FROM = 300


class PreviewMessage:
    """The lead's preview in their DM with the app: posted once, then updated in place."""

    def __init__(self, client: AsyncWebClient, lead_id: str, at: tuple[str, str] | None) -> None:
        self._client = client
        self._lead_id = lead_id
        self.at = at  # (channel, ts) once posted

    async def show(self, text: Mrkdwn, blocks: list | None = None) -> None:
        blocks = blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
        if self.at is None:
            posted = await self._client.chat_postMessage(
                channel=self._lead_id, text=text, blocks=blocks
            )
            self.at = (posted["channel"], posted["ts"])
        else:
            await self._client.chat_update(
                channel=self.at[0], ts=self.at[1], text=text, blocks=blocks
            )


async def _run_engine(deps: Deps, data: MatchInput, show: Show | None) -> MatchResult:
    """The engine in its worker process; its stages reach `show` as they start."""
    if show is None:
        return await deps.engine.match(data)
    stages: asyncio.Queue[str] = asyncio.Queue()
    work = asyncio.ensure_future(deps.engine.match(data, stages.put_nowait))
    while not work.done():
        next_stage = asyncio.ensure_future(stages.get())
        either: set[asyncio.Future[Any]] = {next_stage, work}
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if next_stage.done():
            await show(next_stage.result())
        else:
            next_stage.cancel()
    result = await work
    while not stages.empty():  # told just before the answer came
        await show(stages.get_nowait())
    return result


async def run_match(
    deps: Deps,
    client: AsyncWebClient,
    *,
    team_id: str,
    lead_id: str,
    programme_id: int,
    message: PreviewMessage | None = None,
) -> None:
    """Match the programme's pool and show the lead the preview."""
    message = message or PreviewMessage(client, lead_id, None)
    logs.bind(programme_id=programme_id)
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        programme = await get_programme(session, team_id=team_id, programme_id=programme_id)
        if programme is None or programme.status not in runs.MATCHABLE:
            await message.show(mrkdwn("That programme is not ready for matching."))
            return
        name = programme.name
        data = await load_pool(session, programme=programme, at=now)
    await queue_pending_intros(deps, programme_id=programme_id)
    show = None
    if len(data.mentors) + len(data.mentees) >= PROGRESS_FROM or message.at is not None:

        async def show(stage: str) -> None:
            await message.show(views.progress(name, len(data.mentors), len(data.mentees), stage))

        await show("loading")
    try:
        with deps.metrics.match_seconds.time():
            result = await _run_engine(deps, data, show)
    except EngineStopped:
        log.exception("The matching engine's process stopped; nothing was saved")
        await message.show(*views.engine_stopped(name, programme_id))
        return
    if show is not None:
        await show("saving")
    async with deps.db.transaction() as session:
        programme = await get_programme(session, team_id=team_id, programme_id=programme_id)
        assert programme is not None
        run = await runs.save_run(
            session, programme=programme, data=data, result=result, lead_id=lead_id, now=now
        )
        await session.flush()
        preview = await runs.load_preview(session, team_id=team_id, run_id=run.id)
        assert preview is not None
        shown = {u for p in preview.pairs for u in (p.mentor_id, p.mentee_id)}
        shown |= {u.user_id for u in preview.unmatched}
        await audit.record(
            session,
            team_id=team_id,
            lead_id=lead_id,
            view=audit.View.PREVIEW,
            programme_id=programme_id,
            participant_ids=await audit.participant_ids(
                session, programme_id=programme_id, user_ids=shown
            ),
            now=now,
        )
    text, blocks = views.preview_message(preview)
    await message.show(text, blocks)
    assert message.at is not None
    async with deps.db.transaction() as session:
        await runs.set_preview_message(
            session, run_id=preview.run_id, channel_id=message.at[0], ts=message.at[1]
        )


def clicked_preview(click: LeadClick) -> PreviewMessage:
    """The preview a lead's button is in, to show the next step in its place."""
    return PreviewMessage(click.client, click.lead_id, click.at)


async def match_for(click: LeadClick, programme_id: int, *, in_place: bool = False) -> None:
    """`run_match` for the lead who clicked; with `in_place`, in the preview they clicked in."""
    await run_match(
        click.deps,
        click.client,
        team_id=click.team_id,
        lead_id=click.lead_id,
        programme_id=programme_id,
        message=clicked_preview(click) if in_place else None,
    )


@dataclass(frozen=True)
class Introduced:
    """How an approval's introductions stand once the first of them went."""

    introduced: int  # in Slack now
    waiting: int  # queued behind Slack's pace or a retry; the outbox sends them
    failed: list[PairFacts]  # refused by Slack for good


async def introduce(deps: Deps, approval: runs.Approval) -> Introduced:
    """Send an approval's introductions, queued with it, as far as Slack's pace allows now;
    the outbox sends the rest."""
    await deliver_now(deps, approval.keys)
    async with deps.db.transaction() as session:
        fates = await outbox.statuses(session, approval.keys)
    sent = [p for p in approval.pairs if fates.get(runs.intro_key(p.id)) == OutboxStatus.SENT]
    failed = [p for p in approval.pairs if fates.get(runs.intro_key(p.id)) == OutboxStatus.FAILED]
    return Introduced(len(sent), len(approval.pairs) - len(sent) - len(failed), failed)


async def queue_pending_intros(deps: Deps, *, programme_id: int) -> None:
    """Introductions that never reached Slack (approved before they went through the outbox,
    or refused for good) are queued again and sent as far as the pace allows."""
    async with deps.db.transaction() as session:
        keys = await runs.queue_pending_intros(
            session, programme_id=programme_id, now=deps.clock.now()
        )
    await deliver_now(deps, keys)


async def end_pair_as_lead(click: LeadClick) -> PairFacts:
    """End the clicked pair for the lead and tell everyone (lead_button tells a refusal)."""
    ending = await click.apply(
        pair_service.end_by_lead, pair_id=click.number, lead_id=click.lead_id
    )
    await announce(click.client, ending)
    return ending.pair


async def match_command(
    deps: Deps,
    client: AsyncWebClient,
    reply: Reply,
    *,
    team_id: str,
    lead_id: str,
    name: str,
    again: bool,
) -> None:
    """`/mentoring-admin match|rematch [name]`."""
    async with deps.db.transaction() as session:
        ready = await runs.matchable_programmes(
            session, team_id=team_id, name=name or None, lead_id=lead_id
        )
        enrolling = await find_programmes(
            session,
            team_id=team_id,
            statuses=(ProgrammeStatus.ENROLLING,),
            name=name or None,
            lead_id=lead_id,
        )
    if not ready:
        if enrolling:
            await reply(
                mrkdwn(
                    "Enrolment for “{name}” is still open. Close it first with {command}, then "
                    "match.",
                    name=enrolling[0].name,
                    command=code(f"/mentoring-admin close {enrolling[0].name}"),
                )
            )
        else:
            named = mrkdwn("called “{name}” ", name=name) if name else ""
            await reply(mrkdwn("No programme {named}is ready for matching.", named=named))
        return
    if len(ready) > 1:
        await reply("Which programme?", views.choose_programme(ready))
        return
    if not await may_match(deps, reply, team_id=team_id, lead_id=lead_id, programme_id=ready[0].id):
        return
    note = (
        " Confirmed pairs and pairs awaiting their chemistry meeting stay as they are."
        if again
        else ""
    )
    await reply(
        mrkdwn(
            "Matching “{name}”: the preview will arrive in your messages with me.{note}",
            name=ready[0].name,
            note=note,
        )
    )
    await run_match(deps, client, team_id=team_id, lead_id=lead_id, programme_id=ready[0].id)


async def pairs_command(
    deps: Deps,
    client: AsyncWebClient,
    reply: Reply,
    *,
    team_id: str,
    name: str,
    lead_id: str,
) -> None:
    """`/mentoring-admin pairs [name]`: only to read once the programme is past its end date."""
    async with deps.db.transaction() as session:
        found = await pair_service.listable_programmes(
            session, team_id=team_id, name=name or None, lead_id=lead_id
        )
        if len(found) != 1:
            listed = None
        else:
            listed = await pair_service.programme_pairs(session, programme_id=found[0].id)
            await audit.record(
                session,
                team_id=team_id,
                lead_id=lead_id,
                view=audit.View.PAIRS,
                programme_id=found[0].id,
                participant_ids=[m.participant_id for p in listed for m in p.members],
                now=deps.clock.now(),
            )
    if listed is None:
        if not found:
            await reply(
                mrkdwn("No programme has pairs yet.")
                if not name
                else mrkdwn("No programme called “{name}” has pairs.", name=name)
            )
        else:
            names = join(", ", (code(p.name) for p in found))
            await reply(
                mrkdwn(
                    "Which programme? `/mentoring-admin pairs &lt;name&gt;` with one of {names}.",
                    names=names,
                )
            )
        return
    programme = found[0]
    changeable = programme.status in pair_service.CHANGEABLE
    if changeable:
        await queue_pending_intros(deps, programme_id=programme.id)
    await reply(
        mrkdwn("Pairs in {name}", name=programme.name),
        views.pairs_list(
            programme.name, listed, ended_on=None if changeable else programme.ends_on
        ),
    )


Show = Callable[[str], Awaitable[None]]  # shows the engine's stage by name
