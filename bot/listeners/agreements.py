"""The agreement round: open the form, send it to the partner, confirm or change it."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import Click, apply_as_sender, button
from bot.flows.calendar import share_calendar
from bot.flows.home import publish_home
from bot.ids import Action, Field, View, matching
from bot.models import Programme
from bot.services import agreements
from bot.services.agreements import Terms
from bot.services.pairs import load_pair
from bot.services.programme_rules import FormErrors
from bot.slack.routing import form
from bot.views import agreements as views
from bot.views.state import form_values

log = logging.getLogger(__name__)


async def open_clicked(click: Click) -> None:
    deps = click.deps
    pair, terms, version = await click.apply(agreements.form_start, pair_id=click.number)
    async with deps.db.transaction() as session:
        programme = await session.get(Programme, pair.programme_id)
        ground_rules = programme.ground_rules if programme else ""
    await click.client.views_open(
        trigger_id=click.trigger_id,
        view=views.agreement_modal(pair, terms, version=version, ground_rules=ground_rules),
    )


async def check_form(
    deps: Deps, view: dict, team_id: str
) -> tuple[int, int, Terms] | dict[str, str]:
    seen = views.read_metadata(view.get("private_metadata"))
    if seen is None:
        return {Field.SESSIONS: "This form is out of date; open it again."}
    async with deps.db.transaction() as session:
        found = await load_pair(session, team_id=team_id, pair_id=seen[0])
        programme = await session.get(Programme, found[1].programme_id) if found else None
    if programme is None:
        return {Field.SESSIONS: "This pair no longer exists."}
    terms = agreements.validate_terms(
        form_values(view), today=deps.clock.now().date(), programme_ends_on=programme.ends_on
    )
    return terms.errors if isinstance(terms, FormErrors) else (seen[0], seen[1], terms)


async def form_submitted(
    deps: Deps,
    checked: tuple[int, int, Terms],
    body: dict,
    client: AsyncWebClient,
    context: dict,
) -> None:
    pair_id, seen_version, terms = checked
    user_id = body["user"]["id"]
    proposal = await apply_as_sender(
        deps,
        context,
        agreements.propose,
        pair_id=pair_id,
        terms=terms,
        seen_version=seen_version,
    )
    channel = proposal.pair.conversation_id or user_id
    text, blocks = views.proposal_message(proposal)
    posted = await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    async with deps.db.transaction() as session:
        await agreements.set_message(session, agreement_id=proposal.id, ts=posted["ts"])


async def confirm_clicked(click: Click) -> None:
    deps, client = click.deps, click.client
    agreed = await click.apply(agreements.confirm, agreement_id=click.number)
    channel = agreed.pair.conversation_id
    text, blocks = views.agreed_summary(agreed)
    if channel and agreed.message_ts:
        await client.chat_update(channel=channel, ts=agreed.message_ts, text=text, blocks=blocks)
        try:
            await client.pins_add(channel=channel, timestamp=agreed.message_ts)
        except SlackApiError as exc:
            if exc.response.get("error") != "already_pinned":
                log.warning("could not pin the agreement", exc_info=True)
    # The Home of who confirmed; the other sees the agreement when they next open theirs.
    await publish_home(deps, client, team_id=click.team_id, user_id=click.user_id)


async def series_clicked(click: Click) -> None:
    """Either of the pair adds the agreement's cadence to their calendars: one file with the
    whole series, in their conversation; pressed again, the same series again."""
    entry = await click.apply(agreements.series, pair_id=click.number)
    await share_calendar(click.client, [entry])


def register(app: AsyncApp) -> None:
    button(app.action(Action.AGREEMENT_CHANGE))(open_clicked)
    button(app.action(matching(Action.AGREEMENT_OPEN)))(open_clicked)
    form(app.view(View.AGREEMENT), check=check_form, tells_refusals=True)(form_submitted)
    button(app.action(Action.AGREEMENT_CONFIRM))(confirm_clicked)
    button(app.action(Action.CALENDAR_SERIES))(series_clicked)
